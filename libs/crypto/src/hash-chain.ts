import { createHash } from 'node:crypto';

/**
 * The tamper-evident chain of the audit log: each record's hash covers the previous hash and the
 * record's canonical JSON, so editing, removing or reordering any record breaks every later link.
 */
export const GENESIS_HASH = '0'.repeat(64);

export function chainHash(previousHash: string, record: unknown): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(record)).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
