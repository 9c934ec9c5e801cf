import { createHash, createHmac, type KeyObject } from 'node:crypto';

/**
 * The tamper-evident chain of the audit log: each record's link covers the previous link and the
 * record's canonical JSON, so editing, removing or reordering any record breaks every later link.
 */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The first, unkeyed scheme: SHA-256. Anyone who can write the table can recompute it, so it only
 * verifies rows written before the keyed scheme (see chainMac); new links never use it.
 */
export function chainHash(previousHash: string, record: unknown): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(record)).digest('hex');
}

/**
 * The keyed scheme: HMAC-SHA256 under a key derived from the master key (never stored with the
 * rows), over the same input as chainHash. Without the key, an edited row cannot be given a valid
 * link, so "edit and recompute the chain" is detected.
 */
export function chainMac(key: KeyObject | Buffer, previousHash: string, record: unknown): string {
  return createHmac('sha256', key)
    .update(previousHash)
    .update('\n')
    .update(canonicalJson(record))
    .digest('hex');
}

/**
 * JSON with object keys sorted at every depth, so equal values always hash equally. Written out
 * directly (no sorted copy of the value first): the audit sealer hashes every event this way.
 * Output is exactly what the chain has always hashed: `JSON.stringify` of a copy built from the sorted
 * keys, Dates as ISO strings (and so, as in any JS object, integer-like keys first, in numeric order).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

/** The JSON text of `value`, or undefined where JSON.stringify omits it (undefined, functions). */
function write(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of sortedKeys(record)) {
    const text = write(record[key]);
    if (text === undefined) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  return `{${out}}`;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Keys in the order a JS object rebuilt from the sorted keys enumerates them: array-index keys first,
 * ascending (Object.keys already yields them so), then the other keys sorted.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let indexKeys = 0;
  while (
    indexKeys < keys.length &&
    ARRAY_INDEX.test(keys[indexKeys]!) &&
    Number(keys[indexKeys]) < 2 ** 32 - 1
  )
    indexKeys++;
  if (indexKeys === 0) return keys.sort();
  return [...keys.slice(0, indexKeys), ...keys.slice(indexKeys).sort()];
}
