import { chainHash, GENESIS_HASH } from '@mazevault/crypto';
import type { AuditEventEntity } from '@mazevault/persistence';

/** The columns an audit hash covers: everything but the chain columns themselves. */
export type HashedAuditFields = Pick<
  AuditEventEntity,
  'id' | 'occurredAt' | 'organizationId' | 'actorType' | 'actorId' | 'action' | 'resourceType' | 'resourceRef' | 'outcome' | 'requestId' | 'details'
>;

export function hashedContent(row: HashedAuditFields): Record<string, unknown> {
  return {
    id: String(row.id),
    occurredAt: row.occurredAt.toISOString(),
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
}

export function hashAuditRow(previousHash: string, row: HashedAuditFields): string {
  return chainHash(previousHash, hashedContent(row));
}

export interface ChainVerification {
  ok: boolean;
  verified: number;
  /** The first row that breaks the chain, and why. */
  brokenAt?: { id: string; problem: 'hash_mismatch' | 'unlinked' };
}

/**
 * Walks the chain from the genesis hash through `prev_hash` links (sealing order, which may differ
 * from id order when transactions commit out of order), recomputing every hash. A row that was
 * edited fails its hash; a row that was removed leaves later rows unreachable.
 */
export function verifyAuditChain(sealedRows: AuditEventEntity[]): ChainVerification {
  const byPrevious = new Map<string, AuditEventEntity>();
  for (const row of sealedRows) if (row.prevHash) byPrevious.set(row.prevHash, row);
  let current = GENESIS_HASH;
  let verified = 0;
  for (let row = byPrevious.get(current); row; row = byPrevious.get(current)) {
    if (hashAuditRow(current, row) !== row.hash) return { ok: false, verified, brokenAt: { id: String(row.id), problem: 'hash_mismatch' } };
    current = row.hash;
    verified += 1;
  }
  if (verified !== sealedRows.length) {
    const reached = new Set<string>();
    for (let h = GENESIS_HASH, r = byPrevious.get(h); r && r.hash; h = r.hash, r = byPrevious.get(h)) reached.add(String(r.id));
    const orphan = sealedRows.find((r) => !reached.has(String(r.id)));
    return { ok: false, verified, brokenAt: { id: String(orphan?.id ?? '?'), problem: 'unlinked' } };
  }
  return { ok: true, verified };
}
