import { createHash, randomBytes } from 'node:crypto';

/** Prefix that makes MazeVault tokens recognizable to secret scanners (like `hvs.` or `ghp_`). */
export const API_TOKEN_PREFIX = 'mvt_';

export interface GeneratedToken {
  /** Shown to the caller once; never stored. */
  token: string;
  /** Stored: SHA-256 of the token (tokens carry 256 bits of entropy, so no slow hash is needed). */
  hash: string;
  /** A short non-secret prefix kept for display and lookup ("mvt_Ab12…"). */
  displayPrefix: string;
}

export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateApiToken(): GeneratedToken {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token), displayPrefix: token.slice(0, API_TOKEN_PREFIX.length + 6) };
}

export function hashApiToken(token: string): string {
  return sha256Hex(token);
}
