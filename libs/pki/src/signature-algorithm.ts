import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { subtle } from './crypto-engine';
import { toArrayBuffer, toBytes } from './der-encoding';
import { describePublicKey, importPublicKey, KeyDescription, KeyFamily } from './key-type';
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
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() });
    case 'ecdsa':
      return new pkijs.AlgorithmIdentifier({ algorithmId: key.curve === 'P-256' ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384 });
    case 'ed25519':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ed25519 });
  }
}

export function hashForKey(key: KeyDescription): Hash | null {
  return SIGNATURE_ALGORITHMS[signatureAlgorithmFor(key).algorithmId]!.hash;
}

export function webCryptoSignParams(key: KeyDescription): Record<string, unknown> {
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
  const integer = (part: Uint8Array) => {
    let i = 0;
    while (i < part.length - 1 && part[i] === 0) i++;
    const trimmed = part.subarray(i);
    const padded = trimmed[0]! & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
    return new asn1js.Integer({ valueHex: toArrayBuffer(padded) });
  };
  return new Uint8Array(new asn1js.Sequence({ value: [integer(raw.subarray(0, half)), integer(raw.subarray(half))] }).toBER());
}

export function ecdsaDerToRaw(der: Uint8Array, coordinateLength: number): Uint8Array<ArrayBuffer> | null {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
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
  const known = SIGNATURE_ALGORITHMS[algorithm.algorithmId];
  if (!known) throw new PkiError('unsupported_signature_algorithm', `unsupported signature algorithm ${algorithm.algorithmId}`);
  const key = describePublicKey(spki);
  if (key.family !== known.family) {
    throw new PkiError('unsupported_signature_algorithm', `signature algorithm ${algorithm.algorithmId} does not match a ${key.family} key`);
  }
  const cryptoKey = await importPublicKey(spki, known.hash ?? 'SHA-256');
  let sig: Uint8Array<ArrayBuffer> | null = toBytes(signature.valueBlock.valueHexView);
  if (key.family === 'ecdsa') sig = ecdsaDerToRaw(sig, key.bits / 8);
  if (!sig) return false;
  const params = key.family === 'ecdsa' ? { name: 'ECDSA', hash: known.hash } : webCryptoSignParams(key);
  return subtle().verify(params as never, cryptoKey, sig, toBytes(data));
}
