import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CryptoKey, CryptoKeyPair, subtle } from './crypto-engine';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { decodeWith, toArrayBuffer } from './der-encoding';
import { childrenExactly, readBitString, readIntegerBytes, readOid, readRoot, TAG } from './der-reader';

/** Key types the library can generate and sign with. */
export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export type KeyFamily = 'ecdsa' | 'rsa' | 'ed25519';

/** What a SubjectPublicKeyInfo contains, as far as policy decisions are concerned. */
export type KeyDescription =
  | { family: 'ecdsa'; curve: 'P-256' | 'P-384'; bits: 256 | 384 }
  | { family: 'rsa'; bits: number }
  | { family: 'ed25519'; bits: 256 };

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

export function describeKeyType(keyType: KeyType): KeyDescription {
  switch (keyType) {
    case 'ecdsa-p256':
      return { family: 'ecdsa', curve: 'P-256', bits: 256 };
    case 'ecdsa-p384':
      return { family: 'ecdsa', curve: 'P-384', bits: 384 };
    case 'ed25519':
      return { family: 'ed25519', bits: 256 };
    default:
      return { family: 'rsa', bits: Number(keyType.slice(4)) };
  }
}

/** The KeyType of a described key, when it is one we can sign with (RSA only at the standard sizes). */
export function keyTypeOf(description: KeyDescription): KeyType {
  switch (description.family) {
    case 'ecdsa':
      return description.curve === 'P-256' ? 'ecdsa-p256' : 'ecdsa-p384';
    case 'ed25519':
      return 'ed25519';
    case 'rsa': {
      const candidate = `rsa-${description.bits}`;
      if (isKeyType(candidate)) return candidate;
      throw new PkiError(
        'unsupported_key_type',
        `RSA-${description.bits} keys cannot be used for signing here`,
      );
    }
  }
}

/** WebCrypto import/generate parameters. RSA binds the hash at import time, hence the parameter. */
export function webCryptoKeyAlgorithm(
  description: KeyDescription,
  hash = 'SHA-256',
): Record<string, unknown> {
  switch (description.family) {
    case 'ecdsa':
      return { name: 'ECDSA', namedCurve: description.curve };
    case 'ed25519':
      return { name: 'Ed25519' };
    case 'rsa':
      return { name: 'RSASSA-PKCS1-v1_5', hash };
  }
}

/** Extractable key pair: the private key leaves as PKCS#8 for the caller to envelope-encrypt. */
export async function generateKeyPair(keyType: KeyType): Promise<CryptoKeyPair> {
  const description = describeKeyType(keyType);
  const algorithm =
    description.family === 'rsa'
      ? {
          ...webCryptoKeyAlgorithm(description),
          modulusLength: description.bits,
          publicExponent: new Uint8Array([1, 0, 1]),
        }
      : webCryptoKeyAlgorithm(description);
  try {
    return (await subtle().generateKey(algorithm as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  } catch (error) {
    // e.g. a runtime whose WebCrypto lacks Ed25519: refuse with a stable code rather than a DOMException
    throw new PkiError(
      'unsupported_key_type',
      `${keyType} key generation is not supported here: ${(error as Error).message}`,
    );
  }
}

export async function exportPkcs8(privateKey: CryptoKey): Promise<ArrayBuffer> {
  return subtle().exportKey('pkcs8', privateKey);
}

export async function exportSpki(publicKey: CryptoKey): Promise<pkijs.PublicKeyInfo> {
  const der = await subtle().exportKey('spki', publicKey);
  return decodeWith('SubjectPublicKeyInfo', der, (schema) => new pkijs.PublicKeyInfo({ schema }));
}

/** Inspect a SubjectPublicKeyInfo (RFC 5480 for EC, RFC 3279 for RSA, RFC 8410 for Ed25519). */
export function describePublicKey(spki: pkijs.PublicKeyInfo): KeyDescription {
  const algorithm = spki.algorithm.algorithmId;
  if (algorithm === OID.ecPublicKey) {
    const params = spki.algorithm.algorithmParams;
    const curve = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
    if (curve === OID.curveP256) return { family: 'ecdsa', curve: 'P-256', bits: 256 };
    if (curve === OID.curveP384) return { family: 'ecdsa', curve: 'P-384', bits: 384 };
    throw new PkiError('unsupported_key_type', `unsupported elliptic curve ${curve || '(none)'}`);
  }
  if (algorithm === OID.rsaEncryption) {
    const parsed = spki.parsedKey;
    if (!(parsed instanceof pkijs.RSAPublicKey))
      throw new PkiError('malformed_der', 'RSA public key does not parse');
    return { family: 'rsa', bits: bitLength(new Uint8Array(parsed.modulus.valueBlock.valueHexView)) };
  }
  if (algorithm === OID.ed25519) {
    if (spki.subjectPublicKey.valueBlock.valueHexView.byteLength !== 32)
      throw new PkiError('malformed_der', 'Ed25519 key is not 32 bytes');
    return { family: 'ed25519', bits: 256 };
  }
  throw new PkiError('unsupported_key_type', `unsupported public key algorithm ${algorithm}`);
}

/** A SubjectPublicKeyInfo as DER, with what policy and key identifiers need from it. */
export interface SubjectPublicKey {
  der: Uint8Array;
  key: KeyDescription;
  /** The subjectPublicKey BIT STRING contents (SKI method 1, OCSP key hash). */
  keyBits: Uint8Array;
}

/** Read a DER SubjectPublicKeyInfo (RFC 5480 EC, RFC 3279 RSA, RFC 8410 Ed25519) without an object tree. */
export function readSubjectPublicKeyInfo(der: Uint8Array): SubjectPublicKey {
  const [algorithm, subjectPublicKey] = childrenExactly(
    der,
    readRoot(der, TAG.sequence, 'SubjectPublicKeyInfo'),
    2,
    2,
    'SubjectPublicKeyInfo',
  );
  const [oidNode, params] = childrenExactly(der, algorithm!, 1, 2, 'AlgorithmIdentifier');
  const oid = readOid(der, oidNode!, 'SubjectPublicKeyInfo.algorithm');
  const { unusedBits, bits } = readBitString(der, subjectPublicKey!, 'subjectPublicKey');
  if (unusedBits !== 0) throw new PkiError('malformed_der', 'subjectPublicKey has unused bits');
  let key: KeyDescription;
  if (oid === OID.ecPublicKey) {
    const curve = params?.tag === TAG.oid ? readOid(der, params, 'namedCurve') : '';
    if (curve === OID.curveP256) key = { family: 'ecdsa', curve: 'P-256', bits: 256 };
    else if (curve === OID.curveP384) key = { family: 'ecdsa', curve: 'P-384', bits: 384 };
    else throw new PkiError('unsupported_key_type', `unsupported elliptic curve ${curve || '(none)'}`);
  } else if (oid === OID.rsaEncryption) {
    const [modulus] = childrenExactly(
      bits,
      readRoot(bits, TAG.sequence, 'RSAPublicKey'),
      2,
      2,
      'RSAPublicKey',
    );
    key = { family: 'rsa', bits: bitLength(readIntegerBytes(bits, modulus!, 'RSAPublicKey.modulus')) };
  } else if (oid === OID.ed25519) {
    if (params) throw new PkiError('malformed_der', 'Ed25519 AlgorithmIdentifier must have no parameters');
    if (bits.length !== 32) throw new PkiError('malformed_der', 'Ed25519 key is not 32 bytes');
    key = { family: 'ed25519', bits: 256 };
  } else {
    throw new PkiError('unsupported_key_type', `unsupported public key algorithm ${oid}`);
  }
  return { der, key, keyBits: bits };
}

/** `readSubjectPublicKeyInfo` for a pkijs object (CA and OCSP signer paths). */
export function subjectPublicKeyOf(spki: pkijs.PublicKeyInfo): SubjectPublicKey {
  return readSubjectPublicKeyInfo(new Uint8Array(spki.toSchema().toBER()));
}

function bitLength(unsignedBigEndian: Uint8Array): number {
  let i = 0;
  while (i < unsignedBigEndian.length && unsignedBigEndian[i] === 0) i++;
  if (i === unsignedBigEndian.length) return 0;
  return (unsignedBigEndian.length - i - 1) * 8 + (32 - Math.clz32(unsignedBigEndian[i]!));
}

export async function importPublicKey(spki: pkijs.PublicKeyInfo, hash = 'SHA-256'): Promise<CryptoKey> {
  const description = describePublicKey(spki);
  const der = toArrayBuffer(spki.toSchema().toBER());
  try {
    return await subtle().importKey('spki', der, webCryptoKeyAlgorithm(description, hash) as never, true, [
      'verify',
    ]);
  } catch (error) {
    throw new PkiError('malformed_der', `public key rejected by WebCrypto: ${(error as Error).message}`);
  }
}

/** The DER SubjectPublicKeyInfo of a WebCrypto public key, for byte-wise comparisons. */
export async function spkiDer(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('spki', publicKey));
}

/**
 * Import a PKCS#8 private key (e.g. a CA key unwrapped by the caller) and recover its public half.
 * WebCrypto cannot derive a public key from a private one, so go through JWK and drop the secrets.
 */
export async function importPkcs8(
  pkcs8: ArrayBuffer | Uint8Array,
): Promise<{ keyType: KeyType; keyPair: CryptoKeyPair }> {
  const info = decodeWith('PrivateKeyInfo', pkcs8, (schema) => new pkijs.PrivateKeyInfo({ schema }));
  const description = describePrivateKeyAlgorithm(info);
  const algorithm = webCryptoKeyAlgorithm(description) as never;
  let privateKey: CryptoKey;
  try {
    privateKey = await subtle().importKey('pkcs8', toArrayBuffer(pkcs8), algorithm, true, ['sign']);
  } catch (error) {
    throw new PkiError('malformed_der', `private key rejected by WebCrypto: ${(error as Error).message}`);
  }
  const jwk = await subtle().exportKey('jwk', privateKey);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ...publicJwk } = jwk;
  const publicKey = await subtle().importKey('jwk', publicJwk, algorithm, true, ['verify']);
  const keyType = keyTypeOf(
    description.family === 'rsa'
      ? { family: 'rsa', bits: (privateKey.algorithm as unknown as { modulusLength: number }).modulusLength }
      : description,
  );
  return { keyType, keyPair: { privateKey, publicKey } };
}

function describePrivateKeyAlgorithm(info: pkijs.PrivateKeyInfo): KeyDescription {
  const spkiLike = new pkijs.PublicKeyInfo({
    algorithm: info.privateKeyAlgorithm,
    subjectPublicKey: new asn1js.BitString(),
  });
  if (info.privateKeyAlgorithm.algorithmId === OID.rsaEncryption) return { family: 'rsa', bits: 0 }; // size read after import
  if (info.privateKeyAlgorithm.algorithmId === OID.ed25519) return { family: 'ed25519', bits: 256 };
  return describePublicKey(spkiLike);
}
