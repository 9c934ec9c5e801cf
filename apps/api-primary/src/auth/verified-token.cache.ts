import { createHash } from 'node:crypto';

/**
 * A bounded map of already-verified tokens to their claims, valid until the token's own expiry.
 * Keys are SHA-256 digests so the map never holds a usable token. Oldest entries go first when full.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly capacity: number) {}

  get(token: string, nowSeconds: number): T | undefined {
    const key = digest(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowSeconds) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(token: string, value: T, expiresAtSeconds: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(digest(token), { value, expiresAt: expiresAtSeconds });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
