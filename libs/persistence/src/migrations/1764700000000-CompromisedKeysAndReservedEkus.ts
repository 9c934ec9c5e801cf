import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Purposes a customer profile may no longer grant (libs/pki RESERVED_EKUS). */
const RESERVED_EKUS = ['ocspSigning', 'timeStamping', 'anyExtendedKeyUsage'];

/**
 * 1. `compromised_keys`: SPKI hashes of keys revoked for keyCompromise (see the entity).
 * 2. Profiles granting a reserved EKU (ocspSigning, timeStamping, anyExtendedKeyUsage) are no longer
 *    valid. Rather than rewriting a customer's policy behind their back, the migration fails and names
 *    each such profile (id, organization, name); an operator edits or deletes them (PUT / DELETE
 *    /api/v1/pki/profiles/:id on the running version) and runs the migration again. Nothing is changed
 *    until then: the transaction rolls back.
 */
export class CompromisedKeysAndReservedEkus1764700000000 implements MigrationInterface {
  name = 'CompromisedKeysAndReservedEkus1764700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const offending: { id: string; organization_id: string; name: string; ekus: string }[] =
      await queryRunner.query(
        `SELECT id, organization_id, name, definition->'extendedKeyUsages' #>> '{}' AS ekus FROM certificate_profiles
        WHERE jsonb_typeof(definition->'extendedKeyUsages') = 'array' AND definition->'extendedKeyUsages' ?| $1::text[] ORDER BY organization_id, name`,
        [RESERVED_EKUS],
      );
    if (offending.length) {
      const list = offending
        .map((p) => `${p.id} (organization ${p.organization_id}, "${p.name}", extendedKeyUsages ${p.ekus})`)
        .join('; ');
      throw new Error(
        `${offending.length} certificate profile(s) grant an extended key usage that profiles may no longer grant (${RESERVED_EKUS.join(', ')}): ${list}. ` +
          'Edit or delete them, then run the migrations again.',
      );
    }
    await queryRunner.query(
      `CREATE TABLE "compromised_keys" ("spki_sha256" character(64) NOT NULL, "organization_id" uuid NOT NULL, "ca_id" uuid NOT NULL, "serial" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_compromised_keys" PRIMARY KEY ("spki_sha256"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "compromised_keys"`);
  }
}
