import { type MasterKeyRing, openPrivateKey, type SealedPrivateKey, sealPrivateKey } from '@mazevault/crypto';
import { type Signer, signerFromPkcs8 } from './signer';

/**
 * What a sealed private key is, bound into its AAD with the owning CA's id: a CA key sealed as one
 * kind never opens as the other. Stored keys were sealed under exactly these strings, and the Primary
 * (which seals) and the OCSP responder (which opens) must agree on them: never change a value.
 */
export const CA_KEY_KIND = 'ca';
export const OCSP_SIGNER_KEY_KIND = 'ocsp-signer';
export type SignerKeyKind = typeof CA_KEY_KIND | typeof OCSP_SIGNER_KEY_KIND;

/** Seals a CA's key (or its delegated OCSP signer's) with the master key, bound to the CA's id. */
export function sealSignerKey(
  pkcs8: Uint8Array | ArrayBuffer,
  kind: SignerKeyKind,
  caId: string,
  masters: MasterKeyRing,
): Promise<SealedPrivateKey> {
  return sealPrivateKey(pkcs8, { kind, ownerId: caId }, masters);
}

/** Opens a key sealed by `sealSignerKey` into a Signer; the PKCS#8 bytes are zeroed once imported. */
export async function unsealSigner(
  sealed: string,
  kind: SignerKeyKind,
  caId: string,
  masters: MasterKeyRing,
): Promise<Signer> {
  const opened = await openPrivateKey(sealed, { kind, ownerId: caId }, masters);
  // A copy with its own ArrayBuffer: small Buffers live at an offset inside Node's shared pool.
  const pkcs8 = new Uint8Array(opened);
  opened.fill(0);
  try {
    return await signerFromPkcs8(pkcs8);
  } finally {
    pkcs8.fill(0);
  }
}
