import {
  type KekRecord,
  type MasterKeyRing,
  parseWrappedKek,
  rotateMasterKey,
  serializeWrappedKek,
} from '@mazevault/crypto';
import { ProjectKeyEntity } from '@mazevault/persistence';
import type { DataSource } from 'typeorm';

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
