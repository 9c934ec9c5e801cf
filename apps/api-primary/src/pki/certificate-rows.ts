import { columnArrays, GroupCommit } from '@mazevault/persistence';
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

// SANs travel as one JSON array per row: unnest() would flatten a two-dimensional text[].
const INSERT_SQL = `INSERT INTO certificates
  (ca_id, serial, organization_id, profile_id, common_name, sans, not_before, not_after, der, status, replaces_serial)
  SELECT v.ca_id, v.serial, v.organization_id, v.profile_id, v.common_name,
         ARRAY(SELECT jsonb_array_elements_text(v.sans)), v.not_before, v.not_after, v.der, 'good', v.replaces_serial
    FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::uuid[], $5::varchar[], $6::jsonb[],
                $7::timestamptz[], $8::timestamptz[], $9::bytea[], $10::varchar[])
      AS v(ca_id, serial, organization_id, profile_id, common_name, sans, not_before, not_after, der, replaces_serial)`;

/**
 * Issued certificates are written by group commit: a certificate must be stored before it is handed
 * out (signed but unrecorded would be unrevocable), and under load many issuances share one INSERT.
 */
export function certificateRowWriter(dataSource: DataSource): GroupCommit<NewCertificateRow> {
  return new GroupCommit<NewCertificateRow>(async (rows) => {
    const tuples = rows.map((r) => [
      r.caId,
      r.serial,
      r.organizationId,
      r.profileId,
      r.commonName,
      JSON.stringify(r.sans),
      r.notBefore,
      r.notAfter,
      r.der,
      r.replacesSerial,
    ]);
    await dataSource.query(INSERT_SQL, columnArrays(tuples, 10));
  });
}
