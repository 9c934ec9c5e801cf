import { GENESIS_HASH } from '@mazevault/crypto';
import { preparedQuery } from '@mazevault/persistence';
import { DataSource, type EntityManager } from 'typeorm';

interface HeadRow {
  hash: string;
  stale: boolean;
  ids: string[];
}

/** SQL for `count` fresh audit_events ids (a parameter reference such as `$1`), as a text[]. */
export function drawIdsSql(count: string): string {
  return `ARRAY(SELECT nextval('audit_events_id_seq')::text FROM generate_series(1, ${count}))`;
}

const READ_HEAD_SQL = `SELECT h.hash, EXISTS (SELECT 1 FROM audit_events e WHERE e.prev_hash = h.hash) AS stale,
       ${drawIdsSql('$1')} AS ids
  FROM audit_chain_head h WHERE h.id = 1`;

/*
 * The audit chain grows from the one row of `audit_chain_head`, two ways, on every replica:
 *  - the audit writer (AuditService) reads the head, links its batch to it, and inserts the batch in
 *    the statement that moves the head — only if the head is still what it read (compare-and-set);
 *  - the sealer (AuditSealerService) locks the head row for its transaction, links the events that
 *    were inserted unsealed, and moves the head before it commits; a writer's compare-and-set waits
 *    for that lock and then fails, and the writer links again.
 * Either way each extension links to the tip the previous one left, and hashes cover the event id,
 * so ids are drawn before hashing.
 */

/** For the sealer: the head row locked until the caller's transaction ends, and the tip to link to. */
export async function lockChainHead(manager: EntityManager): Promise<{ tip: string }> {
  // Lock first, then read in a new statement: in READ COMMITTED that read sees the head as the
  // previous holder committed it.
  const locked: unknown[] = await manager.query('SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE');
  if (locked.length === 0) throw new Error('audit_chain_head has no row: run the migrations');
  return { tip: (await readChainHead(manager, 0)).tip };
}

/**
 * For the writer: the head as it is now, unlocked (`head`, to compare-and-set against), the tip to
 * link to, and `count` fresh audit_events ids.
 */
export async function readChainHead(
  source: DataSource | EntityManager,
  count: number,
): Promise<{ head: string; tip: string; ids: string[] }> {
  const values = [count];
  // Outside a transaction, a prepared statement (it runs for every batch of audit events).
  const [row] =
    source instanceof DataSource
      ? await preparedQuery<HeadRow>(source, 'audit_read_chain_head', READ_HEAD_SQL, values)
      : ((await source.query(READ_HEAD_SQL, values)) as HeadRow[]);
  if (!row) throw new Error('audit_chain_head has no row: run the migrations');
  // A head something already links to was left behind by a writer that does not move it (a replica
  // of an older version during a rolling upgrade): find the real tip once, then carry on from it.
  const tip = row.stale ? ((await searchChainTip(source)) ?? GENESIS_HASH) : row.hash;
  return { head: row.hash, tip, ids: row.ids };
}

/** The sealed hash no other row links to: a search of the whole chain, for the rare stale head only. */
async function searchChainTip(source: DataSource | EntityManager): Promise<string | undefined> {
  const rows: { hash: string }[] = await source.query(
    `SELECT a.hash FROM audit_events a WHERE a.hash IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM audit_events b WHERE b.prev_hash = a.hash) LIMIT 1`,
  );
  return rows[0]?.hash;
}

export const MOVE_CHAIN_HEAD_SQL = 'UPDATE audit_chain_head SET hash = $1 WHERE id = 1';

/** The chain's state for a checkpoint: its head, the links leading to it, and the row holding it. */
export async function readChainState(
  source: DataSource,
): Promise<{ head: string; count: number; lastId: string }> {
  // One statement, one snapshot: the head and the rows counted are the same moment's.
  const [state] = (await source.query(
    `SELECT h.hash AS head, (SELECT count(*) FROM audit_events WHERE hash IS NOT NULL)::int AS count,
            COALESCE((SELECT id::text FROM audit_events WHERE hash = h.hash), '0') AS "lastId"
       FROM audit_chain_head h WHERE h.id = 1`,
  )) as { head: string; count: number; lastId: string }[];
  if (!state) throw new Error('audit_chain_head has no row: run the migrations');
  return state;
}
