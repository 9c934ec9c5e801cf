import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Console instances: references (key names) of their secrets in the configured secret store. */
export class CreateConsoleInstances1764400000000 implements MigrationInterface {
  name = 'CreateConsoleInstances1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "console_instances" ("id" character varying(63) NOT NULL, "organization_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "token_ref" character varying(127) NOT NULL, "db_uri_ref" character varying(127), "oidc_client_secret_ref" character varying(127), "token_rotated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0347e594b22e3b2d45862bc43ac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_console_instances_organization" ON "console_instances"  ("organization_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_console_instances_organization"`);
    await queryRunner.query(`DROP TABLE "console_instances"`);
  }
}
