import { randomBytes } from 'node:crypto';
import { AES_KEY_BYTES, aesGcmOpen, aesGcmSeal } from './aes-gcm';
import { encodeAad } from './canonical-aad';
import { UnsupportedFormatError } from './crypto.errors';
import type { MasterKeyRing } from './master-key.provider';

/**
 * Private keys at rest (CA keys, delegated OCSP signer keys): the PKCS#8 DER is sealed with a fresh
 * AES-256-GCM data key, and the data key is wrapped by the active master key. Both layers carry the
 * same AAD, which binds the blob to its owner (`kind` + `ownerId`), so a blob copied onto another row
 * does not open. Shared by the Primary (which seals) and the OCSP responder (which only opens).
 */
export const SEALED_PRIVATE_KEY_DOMAIN = 'mazevault:sealed-private-key:v1';

export interface PrivateKeyOwner {
  /** What the key is, e.g. `ca` or `ocsp-signer`. */
  kind: string;
  /** The owning row's id (the CA id). */
  ownerId: string;
}

export interface SealedPrivateKey {
  masterKeyId: string;
  /** Serialized form to store (versioned, base64url fields). */
  sealed: string;
}

interface SealedPrivateKeyV1 {
  v: 1;
  mk: string;
  wk: { n: string; c: string; t: string };
  d: { n: string; c: string; t: string };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const unb64 = (text: unknown): Buffer => {
  if (typeof text !== 'string') throw new UnsupportedFormatError('sealed private key: bad field');
  return Buffer.from(text, 'base64url');
};

function aadFor(owner: PrivateKeyOwner): Buffer {
  return encodeAad(SEALED_PRIVATE_KEY_DOMAIN, [owner.kind, owner.ownerId]);
}

export async function sealPrivateKey(
  pkcs8: Uint8Array | ArrayBuffer,
  owner: PrivateKeyOwner,
  masters: MasterKeyRing,
): Promise<SealedPrivateKey> {
  const aad = aadFor(owner);
  const dataKey = randomBytes(AES_KEY_BYTES);
  try {
    const body = aesGcmSeal(dataKey, new Uint8Array(pkcs8 instanceof ArrayBuffer ? pkcs8 : pkcs8), aad);
    const wrapped = await masters.active.wrapKey(dataKey, aad);
    const value: SealedPrivateKeyV1 = {
      v: 1,
      mk: masters.active.id,
      wk: { n: b64(wrapped.nonce), c: b64(wrapped.ciphertext), t: b64(wrapped.tag) },
      d: { n: b64(body.nonce), c: b64(body.ciphertext), t: b64(body.tag) },
    };
    return { masterKeyId: masters.active.id, sealed: JSON.stringify(value) };
  } finally {
    dataKey.fill(0);
  }
}

/** Returns the PKCS#8 DER; the caller imports it and should drop (zero) the buffer afterwards. */
export async function openPrivateKey(
  sealed: string,
  owner: PrivateKeyOwner,
  masters: MasterKeyRing,
): Promise<Buffer> {
  const value = parseSealed(sealed);
  const aad = aadFor(owner);
  const dataKey = await unwrapDataKey(value, aad, masters);
  try {
    return aesGcmOpen(
      dataKey,
      { nonce: unb64(value.d.n), ciphertext: unb64(value.d.c), tag: unb64(value.d.t) },
      aad,
    );
  } finally {
    dataKey.fill(0);
  }
}

/**
 * The same sealed key with its data key rewrapped under the ring's active master key (the sealed
 * body is untouched), or null when it already is. What master-key rotation does to every private key
 * at rest, so a retired master key is needed for nothing but old audit rows.
 */
export async function rewrapSealedPrivateKey(
  sealed: string,
  owner: PrivateKeyOwner,
  masters: MasterKeyRing,
): Promise<string | null> {
  const value = parseSealed(sealed);
  if (value.mk === masters.active.id) return null;
  const aad = aadFor(owner);
  const dataKey = await unwrapDataKey(value, aad, masters);
  try {
    const wrapped = await masters.active.wrapKey(dataKey, aad);
    const rewrapped: SealedPrivateKeyV1 = {
      v: 1,
      mk: masters.active.id,
      wk: { n: b64(wrapped.nonce), c: b64(wrapped.ciphertext), t: b64(wrapped.tag) },
      d: value.d,
    };
    return JSON.stringify(rewrapped);
  } finally {
    dataKey.fill(0);
  }
}

/** The master key id a sealed key is wrapped by (what rotation compares with the active one). */
export function sealedMasterKeyId(sealed: string): string {
  return parseSealed(sealed).mk;
}

function parseSealed(sealed: string): SealedPrivateKeyV1 {
  let value: SealedPrivateKeyV1;
  try {
    value = JSON.parse(sealed) as SealedPrivateKeyV1;
  } catch {
    throw new UnsupportedFormatError('sealed private key: not JSON');
  }
  if (value?.v !== 1 || typeof value.mk !== 'string' || !value.wk || !value.d)
    throw new UnsupportedFormatError('sealed private key: unknown format');
  return value;
}

function unwrapDataKey(value: SealedPrivateKeyV1, aad: Buffer, masters: MasterKeyRing): Promise<Buffer> {
  return masters
    .get(value.mk)
    .unwrapKey(
      { alg: 'A256GCM', nonce: unb64(value.wk.n), ciphertext: unb64(value.wk.c), tag: unb64(value.wk.t) },
      aad,
    );
}
