import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The gateway's own schema: its enrolled identity (see gateway-identity.entity.ts). */
export class CreateGatewayIdentity1765200000001 implements MigrationInterface {
  name = 'CreateGatewayIdentity1765200000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "gateway_identity" ("slot" character varying(16) NOT NULL, "gateway_id" uuid NOT NULL, "certificate_pem" text NOT NULL, "platform_ca_pem" text NOT NULL, "sealed_private_key" text NOT NULL, "not_after" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_gateway_identity" PRIMARY KEY ("slot"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gateway_identity"`);
  }
}
