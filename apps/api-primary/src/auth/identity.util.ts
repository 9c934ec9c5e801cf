/**
 * The canonical form of a login identity: Unicode NFKC (so full-width and composed variants fold
 * together), all whitespace removed, lower-cased. Used as the user's stored email and as the lockout
 * bucket, so "Alice@Example.com", " alice@example.com " and "ａｌｉｃｅ@example.com" share one.
 */
export function canonicalIdentity(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/gu, '').toLowerCase();
}
