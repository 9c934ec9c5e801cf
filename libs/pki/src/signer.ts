import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KeyObject } from 'node:crypto';
import { oneShotSign } from './crypto-dispatch';
import { CryptoKey, CryptoKeyPair } from './crypto-engine';
import { toArrayBuffer } from './der-encoding';
import { describeKeyType, exportSpki, importPkcs8, KeyType } from './key-type';
import { ecdsaRawToDer, hashForKey, NODE_HASHES, signatureAlgorithmFor } from './signature-algorithm';

/**
 * Anything that can produce signatures for a CA or OCSP responder. The in-process implementation wraps
 * a WebCrypto key pair; a Key Vault / HSM-backed one only has to implement this interface.
 *
 * `sign` returns the signature in WebCrypto / JOSE form (ECDSA: r||s as in IEEE P1363, which is also
 * what Azure Key Vault returns); conversion to the X.509 encoding happens in `signX509`.
 */
export interface Signer {
  readonly algorithm: KeyType;
  readonly publicKey: CryptoKey;
  sign(data: Uint8Array): Promise<ArrayBuffer>;
  /**
   * The private key itself, for signers whose key lives in this process: it lets the issuance worker
   * (issuance-worker-pool.ts) sign with the same key off the event loop. Absent for remote signers
   * (Key Vault, HSM), which then sign where they are called.
   */
  readonly privateKey?: KeyObject;
}

/**
 * Signs with node:crypto's one-shot `sign` (on libuv's thread pool, see crypto-dispatch.ts): the same OpenSSL operation as
 * WebCrypto's, with a fraction of its per-call argument handling on the event loop.
 */
export function cryptoKeySigner(keyPair: CryptoKeyPair, algorithm: KeyType): Signer {
  const description = describeKeyType(algorithm);
  const privateKey = KeyObject.from(keyPair.privateKey);
  const hash = hashForKey(description);
  const digest = hash ? NODE_HASHES[hash] : null;
  const key =
    description.family === 'ecdsa' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  return {
    algorithm,
    publicKey: keyPair.publicKey,
    privateKey,
    sign: async (data) => new Uint8Array(await oneShotSign(digest, data, key)).buffer,
  };
}

/** Signer over a PKCS#8 private key (e.g. a CA key the caller has just unwrapped). */
export async function signerFromPkcs8(pkcs8: ArrayBuffer | Uint8Array): Promise<Signer> {
  const { keyType, keyPair } = await importPkcs8(pkcs8);
  return cryptoKeySigner(keyPair, keyType);
}

export function signerPublicKeyInfo(signer: Signer): Promise<pkijs.PublicKeyInfo> {
  return exportSpki(signer.publicKey);
}

/** Sign `tbs` and return the AlgorithmIdentifier + BIT STRING pair every signed PKIX structure ends with. */
export async function signX509(
  signer: Signer,
  tbs: Uint8Array,
): Promise<{ algorithm: pkijs.AlgorithmIdentifier; signature: asn1js.BitString }> {
  const key = describeKeyType(signer.algorithm);
  let signature: Uint8Array = new Uint8Array(await signer.sign(tbs));
  if (key.family === 'ecdsa') signature = ecdsaRawToDer(signature);
  return {
    algorithm: signatureAlgorithmFor(key),
    signature: new asn1js.BitString({ valueHex: toArrayBuffer(signature) }),
  };
}

/** pkijs objects that end in signatureAlgorithm + signatureValue over a cached `tbsView`. */
interface SignedPkijsObject {
  tbsView: Uint8Array;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signatureValue: asn1js.BitString;
}

/**
 * Sign exactly `tbs` and attach the result to a Certificate / CertificationRequest / CRL. The object
 * keeps `tbs` as its to-be-signed bytes, so what was signed is what gets serialized.
 */
export async function attachSignature<T extends SignedPkijsObject>(
  object: T,
  tbs: Uint8Array,
  signer: Signer,
): Promise<T> {
  const { algorithm, signature } = await signX509(signer, tbs);
  object.tbsView = new Uint8Array(tbs);
  object.signatureAlgorithm = algorithm;
  object.signatureValue = signature;
  return object;
}
