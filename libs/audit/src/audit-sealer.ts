import type { DataSource } from 'typeorm';
import { type HashedAuditFields, linkAuditRow } from './audit-chain';
import { lockChainHead, MOVE_CHAIN_HEAD_SQL } from './audit-chain-head';
import type { AuditKeys } from './audit-keys';
import { SELECT_HASHED_COLUMNS } from './audit-verification';

/**
 * Seals up to `limit` audit events that were inserted unsealed (inside a business transaction, whose
 * commit order is only known afterwards) into the hash chain, in id order, in one transaction that
 * holds the chain head. Returns how many rows it sealed (fewer than `limit`: nothing is left).
 */
export async function sealAuditBatch(
  dataSource: DataSource,
  keys: AuditKeys,
  limit: number,
): Promise<number> {
  const key = await keys.active();
  return dataSource.transaction(async (manager) => {
    let { tip: previous } = await lockChainHead(manager);
    const pending: HashedAuditFields[] = await manager.query(
      `SELECT ${SELECT_HASHED_COLUMNS} FROM audit_events WHERE hash IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    if (pending.length === 0) return 0;
    const seals: { id: string; key_id: string; prev_hash: string; hash: string }[] = [];
    for (const row of pending) {
      const hash = linkAuditRow(previous, { ...row, keyId: key.id }, key.key);
      seals.push({ id: row.id, key_id: key.id, prev_hash: previous, hash });
      previous = hash;
    }
    // One set-based statement per batch, its rows as one JSON parameter.
    await manager.query(
      `UPDATE audit_events a SET key_id = v.key_id, prev_hash = v.prev_hash, hash = v.hash
         FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, key_id text, prev_hash text, hash text)
        WHERE a.id = v.id`,
      [JSON.stringify(seals)],
    );
    await manager.query(MOVE_CHAIN_HEAD_SQL, [previous]);
    return pending.length;
  });
}
