/**
 * What PostgreSQL refuses in `text`/`varchar` and `jsonb`: NUL (22021, and 22P05 as `\u0000` in
 * jsonb), and UTF-16 surrogates without their pair (not valid Unicode). An audit event must be
 * storable whatever a client sent — a path segment with `%00` is exactly what an auditor wants to see —
 * so these are written out as the text `\uXXXX` instead of failing the event. (A literal `\u0000`
 * typed by a client reads the same; the audit log records what was attempted, not a byte-exact copy.)
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this must find
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const TRUNCATED = '…';

/** `value` as PostgreSQL stores it unchanged: unstorable characters escaped, cut to `maxLength` characters (code points, as varchar(n) counts). */
export function storableText(value: string, maxLength?: number): string {
  const text = value.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // UTF-16 units ≥ code points: a string no longer in units fits.
  if (maxLength === undefined || text.length <= maxLength) return text;
  const points = Array.from(text);
  return points.length <= maxLength ? text : points.slice(0, maxLength - 1).join('') + TRUNCATED;
}

/** A JSON value (already plain: parsed from JSON) with every string and key made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[storableText(key)] = storableJson(item);
    return out;
  }
  return value;
}
