import { createHash, webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

/** WebCrypto key type (the workspace compiles without the DOM lib, so name Node's type explicitly). */
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

let engineInstalled = false;

/**
 * Node's WebCrypto, with pkijs pointed at it exactly once. pkijs keeps a global engine; setting it
 * on first use (rather than at import time) keeps the library free of import side effects.
 */
export function subtle(): webcrypto.SubtleCrypto {
  if (!engineInstalled) {
    pkijs.setEngine(
      'node-webcrypto',
      new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as never }),
    );
    engineInstalled = true;
  }
  return webcrypto.subtle;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return webcrypto.getRandomValues(new Uint8Array(length));
}

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const NODE_HASH_NAMES: Record<HashName, string> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Same result as WebCrypto's digest, computed synchronously (key ids are hashed on every issuance). */
export async function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const name = NODE_HASH_NAMES[hash];
  if (!name) throw new TypeError(`unsupported hash ${String(hash)}`);
  const out = createHash(name).update(data).digest();
  return new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
}
