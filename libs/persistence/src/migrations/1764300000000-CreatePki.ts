import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Certificate authorities (sealed keys), profiles, issued certificates and published CRLs. */
export class CreatePki1764300000000 implements MigrationInterface {
  name = 'CreatePki1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "certificate_authorities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "parent_id" uuid, "kind" character varying(16) NOT NULL, "key_type" character varying(32) NOT NULL, "status" character varying(16) NOT NULL, "certificate_der" bytea, "certificate_pem" text, "chain_pem" text NOT NULL DEFAULT '', "csr_pem" text, "sealed_private_key" text NOT NULL, "master_key_id" character varying(128) NOT NULL, "not_after" TIMESTAMP WITH TIME ZONE, "ocsp_signer_der" bytea, "ocsp_signer_sealed_key" text, "ocsp_signer_not_after" TIMESTAMP WITH TIME ZONE, "crl_number" bigint NOT NULL DEFAULT '0', "base_crl_number" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_690283adc59b534105adf288da2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_certificate_authorities_org_name" ON "certificate_authorities"  ("organization_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "certificate_profiles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "ca_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "project_id" uuid, "definition" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_171f0f058bc223a8b43c3a212f1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_certificate_profiles_org_name" ON "certificate_profiles"  ("organization_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "certificates" ("ca_id" uuid NOT NULL, "serial" character varying(64) NOT NULL, "organization_id" uuid NOT NULL, "profile_id" uuid, "common_name" character varying(255), "sans" text array NOT NULL DEFAULT '{}', "not_before" TIMESTAMP WITH TIME ZONE NOT NULL, "not_after" TIMESTAMP WITH TIME ZONE NOT NULL, "der" bytea NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'good', "revoked_at" TIMESTAMP WITH TIME ZONE, "revocation_reason" smallint, "replaces_serial" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a95db2bb13d8951a284b1e9a843" PRIMARY KEY ("ca_id", "serial"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_certificates_revoked_at" ON "certificates"  ("revoked_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_certificates_not_after" ON "certificates"  ("not_after") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_certificates_org_ca" ON "certificates"  ("organization_id", "ca_id") `,
    );
    // SAN search (`sans @> ARRAY['dns:x']`); declared with synchronize: false on the entity.
    await queryRunner.query(`CREATE INDEX "IDX_certificates_sans" ON "certificates" USING gin ("sans")`);
    await queryRunner.query(
      `CREATE TABLE "crls" ("ca_id" uuid NOT NULL, "number" bigint NOT NULL, "delta" boolean NOT NULL, "der" bytea NOT NULL, "this_update" TIMESTAMP WITH TIME ZONE NOT NULL, "next_update" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4023d45e1d961431a10a21ef8ab" PRIMARY KEY ("ca_id", "number"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_crls_ca_delta_number" ON "crls"  ("ca_id", "delta", "number") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_crls_ca_delta_number"`);
    await queryRunner.query(`DROP TABLE "crls"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_certificates_sans"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_certificates_org_ca"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_certificates_not_after"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_certificates_revoked_at"`);
    await queryRunner.query(`DROP TABLE "certificates"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_certificate_profiles_org_name"`);
    await queryRunner.query(`DROP TABLE "certificate_profiles"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_certificate_authorities_org_name"`);
    await queryRunner.query(`DROP TABLE "certificate_authorities"`);
  }
}
