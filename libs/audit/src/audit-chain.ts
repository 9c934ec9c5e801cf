import type { KeyObject } from 'node:crypto';
import { chainHash, chainMac, constantTimeEqual, GENESIS_HASH } from '@mazevault/crypto';
import type { AuditEventEntity } from '@mazevault/persistence';
import type { AuditCheckpoint } from './audit-checkpoint';

/** The columns an audit link covers: everything but the chain columns themselves, and the key id. */
export type HashedAuditFields = Pick<
  AuditEventEntity,
  | 'id'
  | 'occurredAt'
  | 'organizationId'
  | 'actorType'
  | 'actorId'
  | 'action'
  | 'resourceType'
  | 'resourceRef'
  | 'outcome'
  | 'requestId'
  | 'details'
  | 'keyId'
>;

/**
 * What a link covers. Rows of the first, unkeyed scheme (`keyId` null) hash exactly what they always
 * did; keyed rows also cover the id of the master key their link key is derived from.
 */
export function hashedContent(row: HashedAuditFields): Record<string, unknown> {
  const content: Record<string, unknown> = {
    id: String(row.id),
    occurredAt: row.occurredAt instanceof Date ? row.occurredAt.toISOString() : row.occurredAt,
    organizationId: row.organizationId,
    actorType: row.actorType,
    actorId: row.actorId,
    action: row.action,
    resourceType: row.resourceType,
    resourceRef: row.resourceRef,
    outcome: row.outcome,
    requestId: row.requestId,
    details: row.details,
  };
  if (row.keyId !== null) content.keyId = row.keyId;
  return content;
}

/** A row's link after `previousHash`: HMAC under its key (keyed rows), SHA-256 for rows of the old scheme. */
export function linkAuditRow(
  previousHash: string,
  row: HashedAuditFields,
  key: KeyObject | undefined,
): string {
  if (row.keyId === null) return chainHash(previousHash, hashedContent(row));
  if (!key) throw new Error(`no audit key for master key ${row.keyId}`);
  return chainMac(key, previousHash, hashedContent(row));
}

export type ChainProblem =
  /** A row does not match its link: its content (or its link) changed after it was written. */
  | 'hash_mismatch'
  /** A row is linked under a master key the verifier does not hold. */
  | 'key_unavailable'
  /** An unkeyed (old-scheme) row after keyed ones: rewritten by someone without the key. */
  | 'unkeyed_after_keyed'
  /** A row links to a hash no row has: rows before it were removed. */
  | 'missing_link'
  /** Sealed rows the chain from genesis never reaches, for another reason. */
  | 'unlinked'
  /** The chain's newest row is not `audit_chain_head`: rows at the end were removed, or the head moved. */
  | 'head_mismatch'
  /** The chain disagrees with a signed checkpoint: truncated or rewritten below it. */
  | 'checkpoint_mismatch'
  /** The checkpoint given is not one this Primary signed (or was altered). */
  | 'checkpoint_invalid';

export interface ChainBreak {
  problem: ChainProblem;
  /** The row where it breaks (absent when the break is the chain's end). */
  id?: string;
  /** That row's position in the chain (1 = the first link after genesis). */
  position?: number;
  detail: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Links verified from genesis before the first break (all of them when ok). */
  verified: number;
  /** How many of those are of the first, unkeyed scheme (written before keyed links existed). */
  unkeyed: number;
  /** The last verified link, and the head stored in audit_chain_head. */
  tip: string;
  head: string;
  /** The checkpoint checked against, if one was given (its signature was checked before). */
  checkpoint?: { lastId: string; count: number; at: string };
  brokenAt?: ChainBreak;
}

export interface ChainVerificationInput {
  /** Every sealed row (hash not null). */
  rows: readonly HashedAuditFields[] & readonly Pick<AuditEventEntity, 'prevHash' | 'hash'>[];
  /** audit_chain_head.hash, read in the same snapshot as the rows. */
  head: string;
  /** Link keys by master key id. */
  keys: ReadonlyMap<string, KeyObject>;
  /** A checkpoint whose signature verified: the chain must hold its head at its position. */
  checkpoint?: AuditCheckpoint;
}

type SealedRow = HashedAuditFields & Pick<AuditEventEntity, 'prevHash' | 'hash'>;

/**
 * Walks the chain from the genesis hash through `prev_hash` links (sealing order, which may differ
 * from id order when transactions commit out of order), recomputing every link, then checks that
 * every sealed row was reached, that the newest link is the stored head, and that a checkpoint's head
 * sits at the checkpoint's position. Reports the first break: which row, where, and what it means.
 */
export function verifyAuditChain(input: ChainVerificationInput): ChainVerification {
  const rows = input.rows as readonly SealedRow[];
  const byPrevious = new Map<string, SealedRow>();
  for (const row of rows) if (row.prevHash) byPrevious.set(row.prevHash, row);
  const checkpoint = input.checkpoint;
  const result = (
    verified: number,
    unkeyed: number,
    tip: string,
    brokenAt?: ChainBreak,
  ): ChainVerification => ({
    ok: !brokenAt,
    verified,
    unkeyed,
    tip,
    head: input.head,
    ...(checkpoint
      ? { checkpoint: { lastId: checkpoint.lastId, count: checkpoint.count, at: checkpoint.at } }
      : {}),
    ...(brokenAt ? { brokenAt } : {}),
  });

  let current = GENESIS_HASH;
  let verified = 0;
  let unkeyed = 0;
  const reached = new Set<string>();
  for (let row = byPrevious.get(current); row; row = byPrevious.get(current)) {
    const id = String(row.id);
    const position = verified + 1;
    if (reached.has(id)) break; // a cycle: only a forged table has one; the rest is reported as unlinked
    if (row.keyId === null && verified > unkeyed) {
      return result(verified, unkeyed, current, {
        problem: 'unkeyed_after_keyed',
        id,
        position,
        detail: `row ${id} (link ${position}) uses the unkeyed scheme after keyed links: it was rewritten without the key`,
      });
    }
    const key = row.keyId === null ? undefined : input.keys.get(row.keyId);
    if (row.keyId !== null && !key) {
      return result(verified, unkeyed, current, {
        problem: 'key_unavailable',
        id,
        position,
        detail: `row ${id} (link ${position}) is linked under audit key ${row.keyId}, derived from a master key this verifier does not hold (give that key as MASTER_KEY_PREVIOUS)`,
      });
    }
    if (!row.hash || !constantTimeEqual(linkAuditRow(current, row, key), row.hash)) {
      return result(verified, unkeyed, current, {
        problem: 'hash_mismatch',
        id,
        position,
        detail: `row ${id} (link ${position}) does not match its link: its content or its link changed after it was written`,
      });
    }
    if (checkpoint && position === checkpoint.count && !constantTimeEqual(row.hash, checkpoint.head)) {
      return result(verified, unkeyed, current, {
        problem: 'checkpoint_mismatch',
        id,
        position,
        detail: `link ${position} is row ${id}, but the checkpoint of ${checkpoint.at} recorded row ${checkpoint.lastId} with another head there: the chain was rewritten below the checkpoint`,
      });
    }
    reached.add(id);
    current = row.hash;
    verified += 1;
    if (row.keyId === null) unkeyed += 1;
  }

  if (verified !== rows.length) {
    const hashes = new Set(rows.map((row) => row.hash));
    const orphans = rows.filter((row) => !reached.has(String(row.id)));
    const cut = orphans.find((row) => !row.prevHash || !hashes.has(row.prevHash));
    const where = `the intact chain ends at link ${verified}`;
    return result(
      verified,
      unkeyed,
      current,
      cut
        ? {
            problem: 'missing_link',
            id: String(cut.id),
            detail: `row ${cut.id} links to ${cut.prevHash ?? 'nothing'}, which no row has: the row(s) before it were removed (${where}; ${orphans.length} rows cut off)`,
          }
        : {
            problem: 'unlinked',
            id: String(orphans[0]!.id),
            detail: `row ${orphans[0]!.id} is sealed but not reachable from the genesis hash (${where}; ${orphans.length} rows cut off)`,
          },
    );
  }

  if (checkpoint && verified < checkpoint.count) {
    return result(verified, unkeyed, current, {
      problem: 'checkpoint_mismatch',
      detail: `the chain has ${verified} links, but the checkpoint of ${checkpoint.at} recorded ${checkpoint.count} (up to row ${checkpoint.lastId}): rows at the end were removed`,
    });
  }

  if (!constantTimeEqual(current, input.head)) {
    const headRow = rows.find((row) => row.hash === input.head);
    return result(verified, unkeyed, current, {
      problem: 'head_mismatch',
      detail: headRow
        ? `audit_chain_head points at row ${headRow.id}, but the chain goes on after it to link ${verified}`
        : `audit_chain_head holds a hash no row has: rows at the end of the chain were removed (the chain ends at link ${verified})`,
    });
  }
  return result(verified, unkeyed, current);
}
