import { childrenExactly, readIntegerBytes, readRoot, TAG } from './der-reader';
import { integerBytesToBigInt } from './der-encoding';
import { SubjectPublicKey } from './key-type';
import { PkiError } from './pki-error';

/** Below 2^16+1 the exponent invites low-exponent attacks (e=1 is no encryption at all); above 2^256−1 is out of the usual range (NIST SP 800-89 5.3.1, BR 6.1.6). */
const MIN_EXPONENT = 65537n;
const MAX_EXPONENT = (1n << 256n) - 1n;

/** The primes below 1,000 (BR 6.1.6 asks for "no factors smaller than 752"). */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const sieve = new Array<boolean>(1000).fill(true);
  const primes: bigint[] = [];
  for (let i = 2; i < 1000; i++) {
    if (!sieve[i]) continue;
    primes.push(BigInt(i));
    for (let j = i * i; j < 1000; j += i) sieve[j] = false;
  }
  return primes;
})();

/** (n, e) of an RSAPublicKey (RFC 8017 A.1.1), from the subjectPublicKey BIT STRING contents. */
export function rsaPublicNumbers(keyBits: Uint8Array): { modulus: bigint; exponent: bigint } {
  const [modulus, exponent] = childrenExactly(
    keyBits,
    readRoot(keyBits, TAG.sequence, 'RSAPublicKey'),
    2,
    2,
    'RSAPublicKey',
  );
  return {
    modulus: integerBytesToBigInt(readIntegerBytes(keyBits, modulus!, 'RSAPublicKey.modulus')),
    exponent: integerBytesToBigInt(readIntegerBytes(keyBits, exponent!, 'RSAPublicKey.publicExponent')),
  };
}

/** What is wrong with an RSA public key's parameters, or undefined when nothing is (size is the profile's `key_too_weak`). */
export function rsaKeyWeakness(modulus: bigint, exponent: bigint): string | undefined {
  if (exponent % 2n === 0n) return 'the public exponent is even';
  if (exponent < MIN_EXPONENT) return `the public exponent ${exponent} is below 65537`;
  if (exponent > MAX_EXPONENT) return 'the public exponent is above 2^256-1';
  if (modulus <= 0n) return 'the modulus is not positive';
  if (modulus % 2n === 0n) return 'the modulus is even';
  for (const prime of SMALL_PRIMES)
    if (modulus % prime === 0n) return `the modulus has a small prime factor (${prime})`;
  return undefined;
}

/**
 * Refuse an RSA key whose parameters make it weak whatever its size. Runs at CSR parsing, in profile
 * evaluation (every issue / sign / renew / rekey) and in the pre-issuance lint; other key families pass.
 */
export function assertPublicKeySound(publicKey: SubjectPublicKey): void {
  if (publicKey.key.family !== 'rsa') return;
  const { modulus, exponent } = rsaPublicNumbers(publicKey.keyBits);
  const weakness = rsaKeyWeakness(modulus, exponent);
  if (weakness) throw new PkiError('weak_rsa_key', `RSA key refused: ${weakness}`);
}
