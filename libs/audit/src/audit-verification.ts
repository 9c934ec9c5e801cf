import type { DataSource } from 'typeorm';
import { type ChainVerification, type HashedAuditFields, verifyAuditChain } from './audit-chain';
import { type AuditCheckpoint, checkCheckpointSignature } from './audit-checkpoint';
import type { AuditKeys } from './audit-keys';

type StoredRow = HashedAuditFields & { prevHash: string | null; hash: string | null };

/** Plain rows, only what the links cover: entity hydration would cost more than the hashing. */
export const SELECT_HASHED_COLUMNS = `id::text AS id, occurred_at AS "occurredAt", organization_id AS "organizationId", actor_type AS "actorType",
  actor_id AS "actorId", action, resource_type AS "resourceType", resource_ref AS "resourceRef", outcome,
  request_id AS "requestId", details, key_id AS "keyId"`;

/**
 * Verifies the stored chain: every sealed row and the head, read in one snapshot (so a writer moving
 * the head meanwhile is not mistaken for a break), with the keys of every master key the ring holds,
 * and, if given, against a checkpoint kept outside the database.
 */
export async function verifyStoredChain(
  dataSource: DataSource,
  keys: AuditKeys,
  checkpoint?: AuditCheckpoint,
): Promise<ChainVerification> {
  const { rows, head } = await dataSource.transaction('REPEATABLE READ', async (manager) => {
    const sealed: StoredRow[] = await manager.query(
      `SELECT ${SELECT_HASHED_COLUMNS}, prev_hash AS "prevHash", hash FROM audit_events WHERE hash IS NOT NULL ORDER BY id`,
    );
    const [stored] = (await manager.query('SELECT hash FROM audit_chain_head WHERE id = 1')) as {
      hash: string;
    }[];
    if (!stored) throw new Error('audit_chain_head has no row: run the migrations');
    return { rows: sealed, head: stored.hash };
  });
  if (checkpoint) {
    const signature = checkCheckpointSignature(checkpoint, await keys.checkpointKeys());
    if (!signature.ok) {
      return {
        ok: false,
        verified: 0,
        unkeyed: 0,
        tip: '',
        head,
        brokenAt: { problem: 'checkpoint_invalid', detail: signature.reason },
      };
    }
  }
  return verifyAuditChain({
    rows,
    head,
    keys: await keys.chainKeys(),
    ...(checkpoint ? { checkpoint } : {}),
  });
}
