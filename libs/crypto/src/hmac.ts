import { createHmac } from 'node:crypto';

/**
 * Masks a reference (a secret path, a credential id) with HMAC-SHA256 under a tenant salt, so audit
 * readers can correlate events on the same resource without learning its name. Without a salt the
 * reference is returned as is (dev mode).
 */
export function maskReference(reference: string, salt: string | undefined): string {
  if (!salt) return reference;
  return 'hmac:' + createHmac('sha256', salt).update(reference).digest('hex');
}
