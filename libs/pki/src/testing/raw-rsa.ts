import { createHash, generateKeyPairSync } from 'node:crypto';
import { bigIntToIntegerBytes } from '../der-encoding';
import { DER_SEQUENCE, derBitString, derOid, derTlv } from '../der-writer';
import { DistinguishedName, nameToDer } from '../distinguished-name';
import { subjectAltNameDer } from '../leaf-extensions';
import { emptyAltNames } from '../alt-names';
import { OID } from '../oids';

// Test-only: RSA keys with the parameters a CA must refuse (e=1, e=3, an even or smooth modulus), and
// CSRs whose self-signature is nonetheless valid, computed with textbook RSA over BigInt
// (a key with e=1 "signs" with d=1: the signature is the padded digest itself).

const NULL = Uint8Array.of(0x05, 0x00);
const integer = (value: bigint) => derTlv(0x02, [bigIntToIntegerBytes(value)]);
const fromBase64Url = (text: string) => BigInt(`0x${Buffer.from(text, 'base64url').toString('hex')}`);

export function rsaSpkiDer(n: bigint, e: bigint): Uint8Array {
  return derTlv(DER_SEQUENCE, [
    derTlv(DER_SEQUENCE, [derOid(OID.rsaEncryption), NULL]),
    derBitString(derTlv(DER_SEQUENCE, [integer(n), integer(e)])),
  ]);
}

/** A real RSA key pair (node:crypto) with the given public exponent, as numbers and as PKCS#8 PEM. */
export function rsaNumbers(
  publicExponent = 65537,
  modulusLength = 2048,
): { n: bigint; e: bigint; d: bigint; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength, publicExponent });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    n: fromBase64Url(jwk.n!),
    e: fromBase64Url(jwk.e!),
    d: fromBase64Url(jwk.d!),
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

/** EMSA-PKCS1-v1_5 with SHA-256 (RFC 8017 9.2), as an integer. */
function pkcs1Sha256(message: Uint8Array, k: number): bigint {
  const digestInfo = Buffer.concat([
    Buffer.from('3031300d060960864801650304020105000420', 'hex'),
    createHash('sha256').update(message).digest(),
  ]);
  const em = Buffer.concat([
    Buffer.of(0, 1),
    Buffer.alloc(k - digestInfo.length - 3, 0xff),
    Buffer.of(0),
    digestInfo,
  ]);
  return BigInt(`0x${em.toString('hex')}`);
}

/** A PKCS#10 request for the raw key (n, e), self-signed with d (sha256WithRSAEncryption). */
export function rawRsaCsr(
  key: { n: bigint; e: bigint; d: bigint },
  subject: DistinguishedName,
  dns: string[] = [],
): Uint8Array {
  const extensions = dns.length ? [subjectAltNameDer({ ...emptyAltNames(), dns }, false)] : [];
  const attributes = extensions.length
    ? [derTlv(DER_SEQUENCE, [derOid(OID.extensionRequest), derTlv(0x31, [derTlv(DER_SEQUENCE, extensions)])])]
    : [];
  const info = derTlv(DER_SEQUENCE, [
    integer(0n),
    nameToDer(subject),
    rsaSpkiDer(key.n, key.e),
    derTlv(0xa0, attributes),
  ]);
  const k = Math.ceil(key.n.toString(2).length / 8);
  const signature = modPow(pkcs1Sha256(info, k), key.d, key.n);
  const signatureBytes = Buffer.from(signature.toString(16).padStart(k * 2, '0'), 'hex');
  return derTlv(DER_SEQUENCE, [
    info,
    derTlv(DER_SEQUENCE, [derOid(OID.sha256WithRsa), NULL]),
    derBitString(signatureBytes),
  ]);
}
