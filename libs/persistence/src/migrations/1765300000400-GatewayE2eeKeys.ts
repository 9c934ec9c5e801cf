import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * End-to-end encryption on the gateway protocol: the Primary's own E2EE keys (one row per purpose)
 * and each gateway's public E2EE keys, recorded at registration (null while pending).
 */
export class GatewayE2eeKeys1765300000400 implements MigrationInterface {
  name = 'GatewayE2eeKeys1765300000400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "platform_e2ee_keys" ("purpose" character varying(32) NOT NULL, "key_id" uuid NOT NULL, "signing_public_jwk" jsonb NOT NULL, "encryption_public_jwk" jsonb NOT NULL, "sealed_private_keys" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_platform_e2ee_keys" PRIMARY KEY ("purpose"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "gateways" ADD "e2ee_signing_jwk" jsonb, ADD "e2ee_encryption_jwk" jsonb`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "gateways" DROP COLUMN "e2ee_encryption_jwk", DROP COLUMN "e2ee_signing_jwk"`,
    );
    await queryRunner.query(`DROP TABLE "platform_e2ee_keys"`);
  }
}
