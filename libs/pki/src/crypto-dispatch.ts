import {
  type KeyLike,
  sign,
  type SignKeyObjectInput,
  type SignPrivateKeyInput,
  verify,
  type VerifyKeyObjectInput,
  type VerifyPublicKeyInput,
} from 'node:crypto';

// Where one-shot signatures and verifications run. By default on libuv's thread pool, which keeps
// them off an event loop that serves requests. A thread that only computes (the issuance worker)
// runs them inline instead: handing each one to the pool and back costs two thread wake-ups, more
// than a P-256 signature itself.
let inline = false;

/** Run sign/verify on the calling thread (for worker threads that do nothing else). */
export function runCryptoInline(value: boolean): void {
  inline = value;
}

export function oneShotSign(
  digest: string | null,
  data: Uint8Array,
  key: KeyLike | SignKeyObjectInput | SignPrivateKeyInput,
): Promise<Buffer> {
  if (inline) {
    try {
      return Promise.resolve(sign(digest, data, key));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return new Promise((resolve, reject) =>
    sign(digest, data, key, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}

/** A signature the library cannot even parse is simply not valid (false, not an error). */
export function oneShotVerify(
  digest: string | null,
  data: Uint8Array,
  key: KeyLike | VerifyKeyObjectInput | VerifyPublicKeyInput,
  signature: Uint8Array,
): Promise<boolean> {
  if (inline) {
    try {
      return Promise.resolve(verify(digest, data, key, signature));
    } catch {
      return Promise.resolve(false);
    }
  }
  return new Promise((resolve) => verify(digest, data, key, signature, (error, ok) => resolve(!error && ok)));
}
