import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gateways (part 1): the platform CA behind the mTLS gateway listener (one row per purpose, so
 * replicas racing on first start create exactly one), the gateways, and their one-time bootstrap
 * tokens (SHA-256 only; spent by a compare-and-set on used_at).
 */
export class CreateGateways1765200000000 implements MigrationInterface {
  name = 'CreateGateways1765200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "platform_ca" ("purpose" character varying(32) NOT NULL, "ca_id" uuid NOT NULL, "certificate_pem" text NOT NULL, "sealed_private_key" text NOT NULL, "server_certificate_pem" text NOT NULL, "server_sealed_private_key" text NOT NULL, "server_not_after" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b3d888bb105e32f6ae1bbe6281e" PRIMARY KEY ("purpose"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "gateways" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "name" character varying(128) NOT NULL, "environment" character varying(16) NOT NULL, "role" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "certificate_serial" character varying(64), "certificate_not_after" TIMESTAMP WITH TIME ZONE, "enrolled_at" TIMESTAMP WITH TIME ZONE, "last_seen_at" TIMESTAMP WITH TIME ZONE, "last_heartbeat" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b53153080a6907017cf44cb7f58" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_gateways_organization_name" ON "gateways" ("organization_id", "name")`,
    );
    await queryRunner.query(
      `CREATE TABLE "gateway_bootstrap_tokens" ("id" uuid NOT NULL, "gateway_id" uuid NOT NULL, "token_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_555c928cbb4631d23da1baecd86" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_gateway_bootstrap_tokens_gateway" ON "gateway_bootstrap_tokens" ("gateway_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_gateway_bootstrap_tokens_hash" ON "gateway_bootstrap_tokens" ("token_hash")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gateway_bootstrap_tokens"`);
    await queryRunner.query(`DROP TABLE "gateways"`);
    await queryRunner.query(`DROP TABLE "platform_ca"`);
  }
}
