import { webcrypto } from 'node:crypto';
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
    pkijs.setEngine('node-webcrypto', new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as never }));
    engineInstalled = true;
  }
  return webcrypto.subtle;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return webcrypto.getRandomValues(new Uint8Array(length));
}

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export async function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().digest(hash, data as Uint8Array<ArrayBuffer>));
}
