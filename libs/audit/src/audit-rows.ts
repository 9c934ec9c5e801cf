import { type AuditOutcome, preparedQuery } from '@mazevault/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { type HashedAuditFields, linkAuditRow } from './audit-chain';
import { drawIdsSql, readChainHead } from './audit-chain-head';
import type { AuditKeys } from './audit-keys';
import { isUniqueViolation } from '@mazevault/persistence';

// How audit rows reach audit_events: unsealed inside a caller's transaction (the sealer links them
// later), or already linked into the hash chain (everything else, see SealedRowWriter).

/** One audit row, keyed by column (see INSERT_SQL). */
export interface AuditRow {
  occurred_at: Date;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_ref: string | null;
  outcome: AuditOutcome;
  request_id: string | null;
  details: Record<string, unknown>;
}

const COLUMNS = `occurred_at, organization_id, actor_type, actor_id, action, resource_type, resource_ref, outcome, request_id, details`;
const COLUMN_TYPES = `occurred_at timestamptz, organization_id uuid, actor_type varchar, actor_id varchar, action varchar,
  resource_type varchar, resource_ref varchar, outcome varchar, request_id varchar, details jsonb`;

/**
 * Many rows in one statement and one parameter: the rows as a JSON array, which JSON.stringify
 * builds natively (per-column array literals cost more to build than the INSERT itself).
 */
const INSERT_SQL = `INSERT INTO audit_events (${COLUMNS})
  SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(${COLUMN_TYPES})`;

/**
 * The same, rows already linked into the chain, in one statement that also moves the chain head from
 * $3 (the head they were linked after) to $2 (the last of them) — or, if the head has moved since it
 * was read, writes nothing and says so (a compare-and-set: no lock is held across round trips). When
 * it moved the head, it also draws $4 ids for the writer's next batch.
 */
const INSERT_SEALED_SQL = `WITH moved AS (
    UPDATE audit_chain_head SET hash = $2 WHERE id = 1 AND hash = $3 RETURNING 1
  ), inserted AS (
    INSERT INTO audit_events (id, ${COLUMNS}, key_id, prev_hash, hash)
    SELECT id, ${COLUMNS}, key_id, prev_hash, hash FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, ${COLUMN_TYPES}, key_id text, prev_hash text, hash text)
     WHERE EXISTS (SELECT 1 FROM moved)
  )
  SELECT m.moved, CASE WHEN m.moved = 1 THEN ${drawIdsSql('$4')} ELSE '{}' END AS ids
    FROM (SELECT count(*)::int AS moved FROM moved) m`;

/** Head moves lost to other writers (another replica, the sealer) before a batch gives up. */
const MAX_CHAIN_RACES = 20;

/** Ids drawn ahead for the next batch: at least this many, or twice the last batch. */
const MIN_IDS_AHEAD = 64;
const MAX_IDS_AHEAD = 2000;

/** Unsealed, in the caller's transaction. */
export async function insertRows(manager: EntityManager, rows: AuditRow[]): Promise<void> {
  await manager.query(INSERT_SQL, [JSON.stringify(rows)]);
}

/**
 * Inserts rows already linked into the hash chain, no transaction. The head this writer moved last
 * and ids drawn with that move are kept, so while nobody else extends the chain a batch is one
 * statement. When someone did (the sealer, another replica), the compare-and-set fails and the batch
 * reads the head and fresh ids first (two round trips), as it does on the first batch. The chain's
 * order is its links, not its ids (verifyAuditChain follows prev_hash), so ids drawn ahead are fine.
 */
export class SealedRowWriter {
  /** The head this writer's last batch left. */
  private left: string | undefined;
  /** Ids drawn by that batch's statement, for the next one (single use). */
  private idsAhead: string[] = [];
  /**
   * Another writer extended the chain since this one's last batch: read the head first (a batch from
   * memory would only lose the race) until a read shows the head this writer left.
   */
  private contended = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: AuditKeys,
  ) {}

  async write(rows: AuditRow[]): Promise<void> {
    const key = await this.keys.active();
    for (let attempt = 1; ; attempt++) {
      const { head, tip, ids } = await this.linkPoint(rows.length);
      let previous = tip;
      const sealed = rows.map((row, i) => {
        const id = ids[i]!;
        const hash = linkAuditRow(previous, hashedFieldsOf(id, row, key.id), key.key);
        const linked = { ...row, id, key_id: key.id, prev_hash: previous, hash };
        previous = hash;
        return linked;
      });
      let result: { moved: number; ids: string[] };
      try {
        [result] = await preparedQuery<{ moved: number; ids: string[] }>(
          this.dataSource,
          'audit_insert_sealed',
          INSERT_SEALED_SQL,
          [
            JSON.stringify(sealed),
            previous,
            head,
            Math.min(MAX_IDS_AHEAD, Math.max(MIN_IDS_AHEAD, 2 * rows.length)),
          ],
        );
      } catch (error) {
        // Linked after a head something else already links to (a writer that does not move the head):
        // nothing was written; read the head, which finds the real tip, and link again.
        this.contended = true;
        if (isUniqueViolation(error) && attempt < MAX_CHAIN_RACES) continue;
        throw error;
      }
      if (result.moved === 1) {
        this.left = previous;
        this.idsAhead = result.ids;
        return;
      }
      this.contended = true;
      if (attempt === MAX_CHAIN_RACES)
        throw new Error(`audit chain head moved under ${attempt} attempts in a row; events not written`);
    }
  }

  /** Where the next batch links, and its ids: from this writer's last batch when nobody else writes, else from the database. */
  private async linkPoint(count: number): Promise<{ head: string; tip: string; ids: string[] }> {
    const ids = this.idsAhead;
    this.idsAhead = [];
    if (this.left !== undefined && !this.contended && ids.length >= count)
      return { head: this.left, tip: this.left, ids: ids.slice(0, count) };
    const read = await readChainHead(this.dataSource, count);
    this.contended = this.left !== undefined && (read.head !== this.left || read.tip !== read.head);
    return read;
  }
}

function hashedFieldsOf(id: string, row: AuditRow, keyId: string): HashedAuditFields {
  return {
    id,
    keyId,
    occurredAt: row.occurred_at,
    organizationId: row.organization_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceRef: row.resource_ref,
    outcome: row.outcome,
    requestId: row.request_id,
    details: row.details,
  };
}
