import { type CertificateEntity, GroupCommit, preparedQuery } from '@mazevault/persistence';
import type { IssuedCertificate } from '@mazevault/pki';
import type { DataSource } from 'typeorm';

/** An issued certificate as the `certificates` table stores it (status `good`, created now). */
export interface NewCertificateRow {
  caId: string;
  serial: string;
  organizationId: string;
  profileId: string | null;
  commonName: string | null;
  sans: string[];
  notBefore: Date;
  notAfter: Date;
  der: Buffer;
  replacesSerial: string | null;
}

// The rows travel as one JSON array (built natively by JSON.stringify), the DER as base64.
const INSERT_SQL = `INSERT INTO certificates
  (ca_id, serial, organization_id, profile_id, common_name, sans, not_before, not_after, der, status, replaces_serial)
  SELECT ca_id, serial, organization_id, profile_id, common_name, sans, not_before, not_after, decode(der, 'base64'), 'good', replaces_serial
    FROM jsonb_to_recordset($1::jsonb) AS r(ca_id uuid, serial varchar, organization_id uuid, profile_id uuid, common_name varchar,
         sans text[], not_before timestamptz, not_after timestamptz, der text, replaces_serial varchar)`;

/**
 * Issued certificates are written by group commit: a certificate must be stored before it is handed
 * out (signed but unrecorded would be unrevocable), and under load many issuances share one INSERT.
 */
export function certificateRowWriter(dataSource: DataSource): GroupCommit<NewCertificateRow> {
  return new GroupCommit<NewCertificateRow>(async (rows) => {
    const json = rows.map((r) => ({
      ca_id: r.caId,
      serial: r.serial,
      organization_id: r.organizationId,
      profile_id: r.profileId,
      common_name: r.commonName,
      sans: r.sans,
      not_before: r.notBefore,
      not_after: r.notAfter,
      der: r.der.toString('base64'),
      replaces_serial: r.replacesSerial,
    }));
    await preparedQuery(dataSource, 'certificate_insert', INSERT_SQL, [JSON.stringify(json)]);
  });
}

/**
 * The inventory row of a sub-CA's certificate: filed under the parent that signed it (whose CRL and
 * OCSP answer for it), no profile, marked with the CA it certifies.
 */
export function caCertificateRow(
  organizationId: string,
  parentId: string,
  subjectCaId: string,
  certificate: IssuedCertificate,
): Partial<CertificateEntity> {
  return {
    caId: parentId,
    serial: certificate.serialNumber,
    organizationId,
    profileId: null,
    commonName: certificate.commonNames[0] ?? null,
    sans: [],
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    der: Buffer.from(certificate.der.buffer, certificate.der.byteOffset, certificate.der.byteLength),
    status: 'good',
    subjectCaId,
    replacesSerial: null,
  };
}
