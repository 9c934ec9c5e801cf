import { hkdfSync, randomBytes } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal, AES_KEY_BYTES } from './aes-gcm';
import { sha256Hex } from './token';

/**
 * Encryption keyed by a bearer token (response wrapping): the key is HKDF(token), so whoever holds
 * the stored row but not the token cannot read it, and the database keeps only SHA-256(token).
 */
export const WRAP_TOKEN_PREFIX = 'mvw_';

export interface TokenSealed {
  token: string;
  tokenHash: string;
  /** `nonce.ciphertext.tag`, base64url. */
  sealed: string;
}

function keyFor(token: string): Buffer {
  return Buffer.from(hkdfSync('sha256', token, 'mazevault:wrap:v1', 'response-wrapping', AES_KEY_BYTES));
}

export function sealWithNewToken(plaintext: Uint8Array): TokenSealed {
  const token = WRAP_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { nonce, ciphertext, tag } = aesGcmSeal(keyFor(token), plaintext, Buffer.from(WRAP_TOKEN_PREFIX));
  return {
    token,
    tokenHash: sha256Hex(token),
    sealed: [nonce, ciphertext, tag].map((b) => Buffer.from(b).toString('base64url')).join('.'),
  };
}

export function openWithToken(token: string, sealed: string): Buffer {
  const [nonce, ciphertext, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  return aesGcmOpen(keyFor(token), { nonce, ciphertext, tag }, Buffer.from(WRAP_TOKEN_PREFIX));
}
