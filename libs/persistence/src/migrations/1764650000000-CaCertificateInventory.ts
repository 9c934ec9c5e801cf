import { X509Certificate } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sub-CAs are certificates too: an intermediate a platform CA signed gets a row in `certificates`
 * under its parent (so the parent's CRL and OCSP can report it revoked), marked by `subject_ca_id`.
 *
 * Existing intermediates are backfilled here. A statement trigger then refuses any new `good` row
 * whose issuing CA is not active: the database is the one place every Primary replica and every path
 * (issue, sign, renew, sub-CA creation) meets, and a row that cannot be stored is a certificate that is
 * never handed out. It takes a share lock on the issuing CA's row, so it serializes with a revocation
 * (which locks that row for update): nothing is issued after the revocation commits, and what was
 * issued before it is committed by the time the revocation counts it.
 */
export class CaCertificateInventory1764650000000 implements MigrationInterface {
  name = 'CaCertificateInventory1764650000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "certificates" ADD "subject_ca_id" uuid`);
    await backfillCaCertificates(queryRunner);
    // FOR SHARE hands back each CA row as it is once locked (after a concurrent revocation commits).
    await queryRunner.query(`CREATE FUNCTION "certificates_issuer_active"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE issuer record;
      BEGIN
        FOR issuer IN SELECT ca.id, ca.status FROM certificate_authorities ca
            WHERE ca.id IN (SELECT n.ca_id FROM inserted n WHERE n.status = 'good') ORDER BY ca.id FOR SHARE LOOP
          IF issuer.status <> 'active' THEN
            RAISE EXCEPTION 'the issuing CA % is %', issuer.id, issuer.status USING ERRCODE = 'MV409';
          END IF;
        END LOOP;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "certificates_issuer_active" AFTER INSERT ON "certificates" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "certificates_issuer_active"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "certificates_issuer_active" ON "certificates"`);
    await queryRunner.query(`DROP FUNCTION "certificates_issuer_active"()`);
    await queryRunner.query(`DELETE FROM "certificates" WHERE "subject_ca_id" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "certificates" DROP COLUMN "subject_ca_id"`);
  }
}

/** SQLSTATE the trigger raises when a certificate's issuing CA is not active. */
export const ISSUER_NOT_ACTIVE_SQLSTATE = 'MV409';

/**
 * Inserts the certificate of every intermediate signed by one of our CAs that has no inventory row
 * yet (idempotent). Serial as libs/pki stores it: lower-case hex, no 00 pad.
 */
export async function backfillCaCertificates(queryRunner: {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}): Promise<number> {
  const rows = (await queryRunner.query(
    `SELECT ca.id, ca.organization_id, ca.parent_id, ca.certificate_der FROM certificate_authorities ca
      WHERE ca.parent_id IS NOT NULL AND ca.certificate_der IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.subject_ca_id = ca.id)`,
  )) as { id: string; organization_id: string; parent_id: string; certificate_der: Buffer }[];
  let inserted = 0;
  for (const row of rows) {
    const certificate = new X509Certificate(row.certificate_der);
    const serial = certificate.serialNumber.toLowerCase().replace(/^(00)+(?=[0-9a-f]{2})/, '');
    const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1]?.replace(/\\(.)/g, '$1') ?? null;
    const result = (await queryRunner.query(
      `INSERT INTO certificates (ca_id, serial, organization_id, profile_id, common_name, sans, not_before, not_after, der, status, subject_ca_id)
       VALUES ($1, $2, $3, NULL, $4, '{}', $5, $6, $7, 'good', $8) ON CONFLICT (ca_id, serial) DO NOTHING RETURNING serial`,
      [
        row.parent_id,
        serial,
        row.organization_id,
        commonName,
        new Date(certificate.validFrom),
        new Date(certificate.validTo),
        row.certificate_der,
        row.id,
      ],
    )) as unknown[];
    inserted += result.length;
  }
  return inserted;
}
