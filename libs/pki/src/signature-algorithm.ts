import { createPublicKey, KeyObject } from 'node:crypto';
import { oneShotVerify } from './crypto-dispatch';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CryptoKey, subtle } from './crypto-engine';
import { DER_SEQUENCE, derTlv, derUnsignedInteger } from './der-writer';
import { toArrayBuffer, toBytes } from './der-encoding';
import { describePublicKey, importPublicKey, KeyDescription, KeyFamily, SubjectPublicKey } from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';

type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512';

const SIGNATURE_ALGORITHMS: Record<string, { family: KeyFamily; hash: Hash | null }> = {
  [OID.sha256WithRsa]: { family: 'rsa', hash: 'SHA-256' },
  [OID.sha384WithRsa]: { family: 'rsa', hash: 'SHA-384' },
  [OID.sha512WithRsa]: { family: 'rsa', hash: 'SHA-512' },
  [OID.ecdsaWithSha256]: { family: 'ecdsa', hash: 'SHA-256' },
  [OID.ecdsaWithSha384]: { family: 'ecdsa', hash: 'SHA-384' },
  [OID.ecdsaWithSha512]: { family: 'ecdsa', hash: 'SHA-512' },
  [OID.ed25519]: { family: 'ed25519', hash: null },
};

/**
 * The signature AlgorithmIdentifier we use for a key: SHA-256 for RSA and P-256, SHA-384 for P-384
 * (matching hash strength to curve, as CA/B Forum BR 7.1.3.2 requires), pure Ed25519 (RFC 8410 §3).
 * RSA carries an explicit NULL parameter (RFC 4055 §5), ECDSA and Ed25519 carry none (RFC 5758 §3.2).
 */
export function signatureAlgorithmFor(key: KeyDescription): pkijs.AlgorithmIdentifier {
  switch (key.family) {
    case 'rsa':
      return new pkijs.AlgorithmIdentifier({
        algorithmId: OID.sha256WithRsa,
        algorithmParams: new asn1js.Null(),
      });
    case 'ecdsa':
      return new pkijs.AlgorithmIdentifier({
        algorithmId: key.curve === 'P-256' ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384,
      });
    case 'ed25519':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ed25519 });
  }
}

export function hashForKey(key: KeyDescription): Hash | null {
  return SIGNATURE_ALGORITHMS[signatureAlgorithmFor(key).algorithmId]!.hash;
}

/** node:crypto's name for a hash (`sign`/`verify` take these, not WebCrypto's). */
export const NODE_HASHES: Record<Hash, string> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function webCryptoSignParams(key: KeyDescription): Record<string, unknown> {
  switch (key.family) {
    case 'rsa':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'ecdsa':
      return { name: 'ECDSA', hash: key.curve === 'P-256' ? 'SHA-256' : 'SHA-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

/** WebCrypto ECDSA signatures are r||s (IEEE P1363); X.509 wants ECDSA-Sig-Value (RFC 5480 §2.2.3). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return derTlv(DER_SEQUENCE, [
    derUnsignedInteger(raw.subarray(0, half)),
    derUnsignedInteger(raw.subarray(half)),
  ]);
}

export function ecdsaDerToRaw(der: Uint8Array, coordinateLength: number): Uint8Array<ArrayBuffer> | null {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(toArrayBuffer(der));
  } catch {
    return null; // asn1js throws plain Errors on some malformed values
  }
  if (parsed.offset !== der.length || !(parsed.result instanceof asn1js.Sequence)) return null;
  const parts = parsed.result.valueBlock.value;
  if (parts.length !== 2 || !parts.every((p) => p instanceof asn1js.Integer)) return null;
  const out = new Uint8Array(coordinateLength * 2);
  for (const [index, part] of parts.entries()) {
    let bytes = new Uint8Array((part as asn1js.Integer).valueBlock.valueHexView);
    while (bytes.length > coordinateLength && bytes[0] === 0) bytes = bytes.subarray(1);
    if (bytes.length > coordinateLength) return null;
    out.set(bytes, (index + 1) * coordinateLength - bytes.length);
  }
  return out;
}

/**
 * Verify an X.509-style signature (certificate, CSR, CRL, OCSP response) over `data`.
 * The algorithm must be one we support and must match the key's family, so an RSA key cannot
 * "verify" an ECDSA-labelled signature or vice versa.
 */
export async function verifySignature(
  spki: pkijs.PublicKeyInfo,
  algorithm: pkijs.AlgorithmIdentifier,
  data: Uint8Array,
  signature: asn1js.BitString,
): Promise<boolean> {
  return verifyWith(spki, algorithm, data, toBytes(signature.valueBlock.valueHexView), (hash) =>
    importPublicKey(spki, hash),
  );
}

async function verifyWith(
  spki: pkijs.PublicKeyInfo,
  algorithm: pkijs.AlgorithmIdentifier,
  data: Uint8Array,
  signature: Uint8Array<ArrayBuffer>,
  publicKey: (hash: string) => Promise<CryptoKey>,
): Promise<boolean> {
  const known = SIGNATURE_ALGORITHMS[algorithm.algorithmId];
  if (!known)
    throw new PkiError(
      'unsupported_signature_algorithm',
      `unsupported signature algorithm ${algorithm.algorithmId}`,
    );
  const key = describePublicKey(spki);
  if (key.family !== known.family) {
    throw new PkiError(
      'unsupported_signature_algorithm',
      `signature algorithm ${algorithm.algorithmId} does not match a ${key.family} key`,
    );
  }
  const cryptoKey = await publicKey(known.hash ?? 'SHA-256');
  let sig: Uint8Array<ArrayBuffer> | null = signature;
  if (key.family === 'ecdsa') sig = ecdsaDerToRaw(sig, key.bits / 8);
  if (!sig) return false;
  const params = key.family === 'ecdsa' ? { name: 'ECDSA', hash: known.hash } : webCryptoSignParams(key);
  return subtle().verify(params as never, cryptoKey, sig, toBytes(data));
}

/**
 * A Node KeyObject for a SubjectPublicKeyInfo (import once per key that verifies repeatedly). An
 * uncompressed EC point is imported raw: OpenSSL's SPKI decoder costs about twice as much, and the raw
 * import checks just the same that the point is on the curve.
 */
export async function publicKeyObject(publicKey: SubjectPublicKey): Promise<KeyObject> {
  const { key, keyBits } = publicKey;
  try {
    if (key.family === 'ecdsa' && keyBits[0] === 0x04) {
      return KeyObject.from(
        await subtle().importKey('raw', toBytes(keyBits), { name: 'ECDSA', namedCurve: key.curve }, true, [
          'verify',
        ]),
      );
    }
    return createPublicKey({
      key: Buffer.from(publicKey.der.buffer, publicKey.der.byteOffset, publicKey.der.byteLength),
      format: 'der',
      type: 'spki',
    });
  } catch (error) {
    throw new PkiError(
      'malformed_der',
      `public key rejected by the crypto library: ${(error as Error).message}`,
    );
  }
}

/**
 * Verify an X.509-style signature given as it is encoded (ECDSA: DER Ecdsa-Sig-Value) over `data`, on
 * libuv's thread pool rather than the event loop. The algorithm must be one we support and must match the
 * key's family, so an RSA key cannot "verify" an ECDSA-labelled signature or vice versa.
 */
export async function verifyDerSignature(
  publicKey: SubjectPublicKey,
  algorithmOid: string,
  data: Uint8Array,
  signature: Uint8Array,
  keyObject?: KeyObject,
): Promise<boolean> {
  const known = SIGNATURE_ALGORITHMS[algorithmOid];
  if (!known)
    throw new PkiError('unsupported_signature_algorithm', `unsupported signature algorithm ${algorithmOid}`);
  if (known.family !== publicKey.key.family) {
    throw new PkiError(
      'unsupported_signature_algorithm',
      `signature algorithm ${algorithmOid} does not match a ${publicKey.key.family} key`,
    );
  }
  const verifier = keyObject ?? (await publicKeyObject(publicKey));
  const hash = known.hash ? NODE_HASHES[known.hash] : null;
  const key = known.family === 'ecdsa' ? { key: verifier, dsaEncoding: 'der' as const } : verifier;
  return oneShotVerify(hash, data, key, signature);
}
