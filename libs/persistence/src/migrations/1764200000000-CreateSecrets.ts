import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Projects, environments, project KEKs, envelope-encrypted secret versions, wrapped responses. */
export class CreateSecrets1764200000000 implements MigrationInterface {
  name = 'CreateSecrets1764200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "projects" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "slug" character varying(63) NOT NULL, "name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_projects_org_slug" ON "projects"  ("organization_id", "slug")`,
    );
    await queryRunner.query(
      `CREATE TABLE "environments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "slug" character varying(63) NOT NULL, "name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ec32d12469ec3c2f2f20c4f5e71" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_environments_project_slug" ON "environments"  ("project_id", "slug")`,
    );
    await queryRunner.query(
      `CREATE TABLE "project_keys" ("project_id" uuid NOT NULL, "kek_version" integer NOT NULL, "master_key_id" character varying(128) NOT NULL, "wrapped_kek" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b9c6f904b4648e5baeccc04bdef" PRIMARY KEY ("project_id", "kek_version"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "secrets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "project_id" uuid NOT NULL, "environment_id" uuid NOT NULL, "path" character varying(512) NOT NULL, "current_version" integer NOT NULL DEFAULT '0', "max_versions" integer NOT NULL DEFAULT '10', "custom_metadata" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d4ff48ddba1883d4dc142b9c697" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_secrets_environment_path" ON "secrets"  ("environment_id", "path")`,
    );
    await queryRunner.query(
      `CREATE TABLE "secret_versions" ("secret_id" uuid NOT NULL, "version" integer NOT NULL, "ciphertext" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "destroyed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f62f652684671e3a325bf0778b6" PRIMARY KEY ("secret_id", "version"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "wrapped_responses" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" character(64) NOT NULL, "organization_id" uuid NOT NULL, "ciphertext" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_243d33accbacff14a2a44fdc4de" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_wrapped_responses_token_hash" ON "wrapped_responses"  ("token_hash")`,
    );
    await queryRunner.query(
      `ALTER TABLE "environments" ADD CONSTRAINT "FK_e6abd34366a5d759985d0677616" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "project_keys" ADD CONSTRAINT "FK_8350c01bda6cd054a653edd010d" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "secrets" ADD CONSTRAINT "FK_5d63d6824bde55f000fa0184313" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "secret_versions" ADD CONSTRAINT "FK_4dd4a1ab6b7ab748804d28bce82" FOREIGN KEY ("secret_id") REFERENCES "secrets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "secret_versions" DROP CONSTRAINT "FK_4dd4a1ab6b7ab748804d28bce82"`);
    await queryRunner.query(`ALTER TABLE "secrets" DROP CONSTRAINT "FK_5d63d6824bde55f000fa0184313"`);
    await queryRunner.query(`ALTER TABLE "project_keys" DROP CONSTRAINT "FK_8350c01bda6cd054a653edd010d"`);
    await queryRunner.query(`ALTER TABLE "environments" DROP CONSTRAINT "FK_e6abd34366a5d759985d0677616"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_wrapped_responses_token_hash"`);
    await queryRunner.query(`DROP TABLE "wrapped_responses"`);
    await queryRunner.query(`DROP TABLE "secret_versions"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_secrets_environment_path"`);
    await queryRunner.query(`DROP TABLE "secrets"`);
    await queryRunner.query(`DROP TABLE "project_keys"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_environments_project_slug"`);
    await queryRunner.query(`DROP TABLE "environments"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_projects_org_slug"`);
    await queryRunner.query(`DROP TABLE "projects"`);
  }
}
