import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from './crypto.errors';

// AES-256-GCM with a random 96-bit nonce and a full 128-bit tag: the only AEAD used for data at rest.
export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export interface AesGcmSealed {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function assertKey(key: Uint8Array): void {
  if (key.length !== AES_KEY_BYTES) throw new TypeError('AES-256 keys must be 32 bytes');
}

/**
 * Random nonces are safe here because each data key encrypts exactly one value, and a KEK or master key
 * wraps far fewer than the 2^32 messages after which random 96-bit nonces risk a collision.
 */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): AesGcmSealed {
  assertKey(key);
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

export function aesGcmOpen(key: Uint8Array, sealed: AesGcmSealed, aad: Uint8Array): Buffer {
  assertKey(key);
  // Length checks first: node would otherwise accept a truncated tag, weakening authentication.
  if (sealed.nonce.length !== GCM_NONCE_BYTES || sealed.tag.length !== GCM_TAG_BYTES)
    throw new DecryptionError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}
