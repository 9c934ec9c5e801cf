import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { DecryptionError } from './crypto.errors';

/**
 * End-to-end encryption to a recipient's public key as a compact JWE (RFC 7516) with
 * `alg: ECDH-ES+A256KW`, `enc: A256GCM` (RFC 7518 §4.6 and §5.3): the server can relay such payloads
 * (shared secrets, client-side encrypted values) without being able to read them.
 *
 * Why not `jose` directly: jose 6 ships ESM only, and this repository's Jest setup (CommonJS, no
 * transform for node_modules) cannot load it. The construction below is the standard one built from
 * node:crypto primitives; e2ee-jwe.spec.ts checks interoperability with jose in both directions by
 * running jose in a child Node process.
 */
export const JWE_ALG = 'ECDH-ES+A256KW' as const;
export const JWE_ENC = 'A256GCM' as const;

type Curve = 'P-256' | 'P-384' | 'P-521' | 'X25519';
const EC_CURVES: Record<string, Curve> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const NODE_CURVE: Record<Exclude<Curve, 'X25519'>, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};
/** RFC 3394 default initial value for AES key wrap. */
const AES_KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

export interface JweEncryptOptions {
  /** Recipient key id, copied into the protected header so the recipient can pick the right private key. */
  kid?: string;
  /** Content type of the payload (`cty`), e.g. `application/json`. */
  contentType?: string;
}

export interface E2eeKeyPair {
  publicJwk: JsonWebKey;
  privateJwk: JsonWebKey;
}

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

function curveOf(key: KeyObject): Curve {
  if (key.asymmetricKeyType === 'x25519') return 'X25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve) return curve;
  }
  throw new TypeError('E2EE keys must be EC P-256/P-384/P-521 or X25519');
}

function isKeyObject(key: JsonWebKey | KeyObject): key is KeyObject {
  const type = (key as KeyObject).type;
  return type === 'public' || type === 'private' || type === 'secret';
}

function toPublicKey(key: JsonWebKey | KeyObject): KeyObject {
  if (isKeyObject(key)) return key.type === 'private' ? createPublicKey(key) : key;
  const { d: _private, ...publicPart } = key as JsonWebKey;
  return createPublicKey({ key: publicPart, format: 'jwk' });
}

function toPrivateKey(key: JsonWebKey | KeyObject): KeyObject {
  if (isKeyObject(key)) {
    if (key.type !== 'private') throw new TypeError('decryption needs the private key');
    return key;
  }
  return createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
}

/** Concat KDF (NIST SP 800-56A, single SHA-256 round) as profiled by RFC 7518 §4.6.2 for a 256-bit output. */
function concatKdf(sharedSecret: Buffer, algorithm: string, apu: Buffer, apv: Buffer): Buffer {
  const lengthPrefixed = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const keyDataLen = Buffer.alloc(4);
  keyDataLen.writeUInt32BE(256);
  const counter = Buffer.from([0, 0, 0, 1]);
  return createHash('sha256')
    .update(counter)
    .update(sharedSecret)
    .update(lengthPrefixed(Buffer.from(algorithm, 'ascii')))
    .update(lengthPrefixed(apu))
    .update(lengthPrefixed(apv))
    .update(keyDataLen)
    .digest();
}

export function generateE2eeKeyPair(curve: Curve = 'P-256'): E2eeKeyPair {
  const { publicKey, privateKey } =
    curve === 'X25519'
      ? generateKeyPairSync('x25519')
      : generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve] });
  return { publicJwk: publicKey.export({ format: 'jwk' }), privateJwk: privateKey.export({ format: 'jwk' }) };
}

/** Encrypts `plaintext` so that only the holder of the private key matching `recipient` can read it. */
export async function encryptForRecipient(
  plaintext: string | Uint8Array,
  recipient: JsonWebKey | KeyObject,
  options: JweEncryptOptions = {},
): Promise<string> {
  const recipientKey = toPublicKey(recipient);
  const curve = curveOf(recipientKey);
  const ephemeral =
    curve === 'X25519'
      ? generateKeyPairSync('x25519')
      : generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve] });
  const epkJwk = ephemeral.publicKey.export({ format: 'jwk' });
  const epk =
    curve === 'X25519'
      ? { kty: 'OKP', crv: curve, x: epkJwk.x }
      : { kty: 'EC', crv: curve, x: epkJwk.x, y: epkJwk.y };
  const header: Record<string, unknown> = { alg: JWE_ALG, enc: JWE_ENC, epk };
  if (options.kid) header['kid'] = options.kid;
  if (options.contentType) header['cty'] = options.contentType;
  const protectedHeader = b64u(JSON.stringify(header));

  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipientKey });
  const kek = concatKdf(shared, JWE_ALG, Buffer.alloc(0), Buffer.alloc(0));
  const cek = randomBytes(32);
  try {
    const wrap = createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
    const encryptedKey = Buffer.concat([wrap.update(cek), wrap.final()]);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', cek, iv);
    // JWE AAD is the ASCII of the base64url protected header, which authenticates alg/enc/epk.
    cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return [protectedHeader, b64u(encryptedKey), b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag())].join(
      '.',
    );
  } finally {
    cek.fill(0);
    kek.fill(0);
    shared.fill(0);
  }
}

export interface DecryptedJwe {
  plaintext: Buffer;
  kid?: string;
  contentType?: string;
}

/**
 * Decrypts a compact JWE produced by {@link encryptForRecipient} (or jose). Anything but exactly
 * ECDH-ES+A256KW/A256GCM is refused, so a crafted header cannot downgrade the algorithm, and every
 * failure surfaces as the same {@link DecryptionError}.
 */
export async function decryptFromSender(
  jwe: string,
  privateKey: JsonWebKey | KeyObject,
): Promise<DecryptedJwe> {
  const recipientKey = toPrivateKey(privateKey);
  const curve = curveOf(recipientKey);
  let shared: Buffer | undefined;
  let kek: Buffer | undefined;
  let cek: Buffer | undefined;
  try {
    const parts = jwe.split('.');
    if (parts.length !== 5) throw new DecryptionError();
    const [encryptedKey, iv, ciphertext, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      header['alg'] !== JWE_ALG ||
      header['enc'] !== JWE_ENC ||
      header['zip'] !== undefined ||
      header['crit'] !== undefined
    ) {
      throw new DecryptionError();
    }
    const epk = header['epk'] as JsonWebKey | undefined;
    if (!epk || epk.crv !== curve) throw new DecryptionError();
    // Importing validates the point is on the curve (no invalid-curve attack).
    const epkKey = createPublicKey({
      key:
        curve === 'X25519'
          ? { kty: 'OKP', crv: curve, x: epk.x }
          : { kty: 'EC', crv: curve, x: epk.x, y: epk.y },
      format: 'jwk',
    });
    const apu = typeof header['apu'] === 'string' ? Buffer.from(header['apu'], 'base64url') : Buffer.alloc(0);
    const apv = typeof header['apv'] === 'string' ? Buffer.from(header['apv'], 'base64url') : Buffer.alloc(0);
    shared = diffieHellman({ privateKey: recipientKey, publicKey: epkKey });
    kek = concatKdf(shared, JWE_ALG, apu, apv);
    const unwrap = createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
    cek = Buffer.concat([unwrap.update(encryptedKey), unwrap.final()]);
    if (cek.length !== 32 || iv.length !== 12 || tag.length !== 16) throw new DecryptionError();
    const decipher = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(parts[0], 'ascii'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    const result: DecryptedJwe = { plaintext };
    if (typeof header['kid'] === 'string') result.kid = header['kid'];
    if (typeof header['cty'] === 'string') result.contentType = header['cty'];
    return result;
  } catch {
    throw new DecryptionError();
  } finally {
    shared?.fill(0);
    kek?.fill(0);
    cek?.fill(0);
  }
}
