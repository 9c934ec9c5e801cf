import {
  type KekRecord,
  type MasterKeyRing,
  parseWrappedKek,
  rewrapSealedPrivateKey,
  rotateMasterKey,
  serializeWrappedKek,
} from '@mazevault/crypto';
import { ProjectKeyEntity } from '@mazevault/persistence';
import { CA_KEY_KIND, OCSP_SIGNER_KEY_KIND } from '@mazevault/pki';
import type { DataSource } from 'typeorm';
import { LISTENER_KEY_KIND } from '../gateways/platform-ca.service';
import { PLATFORM_E2EE_KEY_KIND } from '../gateways/platform-e2ee.service';

export interface RotationProgress {
  rewrapped: number;
  skipped: number;
  failed: number;
  remaining: number;
}

interface ProjectKekRecord extends KekRecord {
  row: ProjectKeyEntity;
}

/**
 * Rewraps every project KEK under the ring's active master key. Values are never touched. Resumable
 * by construction: only rows still wrapped by another master key are read, and each save is
 * conditional on the row's old master key id, so concurrent or repeated runs never double-wrap.
 */
export async function rotateProjectKeks(
  dataSource: DataSource,
  masters: MasterKeyRing,
  options: { limit?: number; onProgress?: (progress: RotationProgress) => void } = {},
): Promise<RotationProgress> {
  const target = masters.active;
  const pending = () =>
    dataSource
      .getRepository(ProjectKeyEntity)
      .createQueryBuilder('k')
      .innerJoin('projects', 'p', 'p.id = k.project_id')
      .addSelect('p.organization_id', 'organization_id')
      .where('k.master_key_id <> :target', { target: target.id })
      .orderBy('k.project_id')
      .addOrderBy('k.kek_version');
  const { entities, raw } = await pending().limit(options.limit).getRawAndEntities();
  const records: ProjectKekRecord[] = entities.map((row, i) => ({
    row,
    context: {
      organizationId: (raw[i] as { organization_id: string }).organization_id,
      projectId: row.projectId,
      kekVersion: row.kekVersion,
    },
    wrapped: parseWrappedKek(row.wrappedKek),
  }));
  const report = await rotateMasterKey({
    records,
    from: masters,
    to: target,
    continueOnError: true,
    save: async (record, rewrapped) => {
      await dataSource.getRepository(ProjectKeyEntity).update(
        {
          projectId: record.row.projectId,
          kekVersion: record.row.kekVersion,
          masterKeyId: record.row.masterKeyId,
        },
        { masterKeyId: rewrapped.masterKeyId, wrappedKek: serializeWrappedKek(rewrapped) },
      );
    },
  });
  const progress = {
    rewrapped: report.rewrapped,
    skipped: report.skipped,
    failed: report.failed.length,
    remaining: await pending().getCount(),
  };
  options.onProgress?.(progress);
  return progress;
}

/** A column holding private keys sealed with the master key (libs/crypto sealed-private-key), and their owner. */
interface SealedKeyColumn {
  table: string;
  /** The row's key column (the conditional update's WHERE). */
  key: string;
  column: string;
  /** The column whose value is the sealed key's owner id (its AAD). */
  owner: string;
  kind: string;
}

/** Every private key at rest: customer CAs and their OCSP signers, the platform CA, its listener, the E2EE keys. */
const SEALED_KEY_COLUMNS: readonly SealedKeyColumn[] = [
  {
    table: 'certificate_authorities',
    key: 'id',
    column: 'sealed_private_key',
    owner: 'id',
    kind: CA_KEY_KIND,
  },
  {
    table: 'certificate_authorities',
    key: 'id',
    column: 'ocsp_signer_sealed_key',
    owner: 'id',
    kind: OCSP_SIGNER_KEY_KIND,
  },
  { table: 'platform_ca', key: 'purpose', column: 'sealed_private_key', owner: 'ca_id', kind: CA_KEY_KIND },
  {
    table: 'platform_ca',
    key: 'purpose',
    column: 'server_sealed_private_key',
    owner: 'ca_id',
    kind: LISTENER_KEY_KIND,
  },
  {
    table: 'platform_e2ee_keys',
    key: 'purpose',
    column: 'sealed_private_keys',
    owner: 'key_id',
    kind: PLATFORM_E2EE_KEY_KIND,
  },
];

/**
 * Rewraps every sealed private key under the ring's active master key (only the data key is
 * rewrapped; the sealed body stays). Resumable like the KEK rotation: rows already under the active
 * key are not read, and each update is conditional on the value it replaces, so a key resealed
 * meanwhile (a listener certificate renewed by a running Primary) is left for the next run.
 */
export async function rotateSealedKeys(
  dataSource: DataSource,
  masters: MasterKeyRing,
  options: { limit?: number } = {},
): Promise<RotationProgress> {
  const target = masters.active.id;
  const limit = options.limit ?? 500;
  const progress: RotationProgress = { rewrapped: 0, skipped: 0, failed: 0, remaining: 0 };
  const stale = (c: SealedKeyColumn) =>
    `FROM "${c.table}" WHERE "${c.column}" IS NOT NULL AND ("${c.column}"::jsonb ->> 'mk') <> $1`;
  for (const c of SEALED_KEY_COLUMNS) {
    const rows = (await dataSource.query(
      `SELECT "${c.key}"::text AS key, "${c.owner}"::text AS owner, "${c.column}" AS sealed ${stale(c)} LIMIT $2`,
      [target, limit],
    )) as { key: string; owner: string; sealed: string }[];
    for (const row of rows) {
      try {
        const rewrapped = await rewrapSealedPrivateKey(
          row.sealed,
          { kind: c.kind, ownerId: row.owner },
          masters,
        );
        if (!rewrapped) {
          progress.skipped++;
          continue;
        }
        const [, updated] = (await dataSource.query(
          `UPDATE "${c.table}" SET "${c.column}" = $1 WHERE "${c.key}"::text = $2 AND "${c.column}" = $3`,
          [rewrapped, row.key, row.sealed],
        )) as [unknown, number];
        if (updated) progress.rewrapped++;
        else progress.skipped++;
      } catch {
        progress.failed++;
      }
    }
  }
  for (const c of SEALED_KEY_COLUMNS) {
    const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n ${stale(c)}`, [target])) as {
      n: number;
    }[];
    progress.remaining += n;
  }
  return progress;
}
