import {
  calculateJwkThumbprint,
  CompactEncrypt,
  compactDecrypt,
  decodeProtectedHeader,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { randomUUID } from 'node:crypto';

/**
 * End-to-end messages between two parties that already hold each other's public keys (gateway ↔
 * Primary, exchanged at registration): a JWS (ES256, signed by the sender) nested in a JWE
 * (ECDH-ES+A256KW / A256GCM, encrypted to the recipient), both from `jose`. Whoever terminates TLS in
 * between reads nothing and forges nothing; the claims (iss, aud, iat, exp, jti) make a message valid
 * for one signer, one purpose (route and direction), a short time and one delivery.
 */
export const E2EE_SIGNING_ALG = 'ES256' as const;
export const E2EE_KEY_ALG = 'ECDH-ES+A256KW' as const;
export const E2EE_CONTENT_ENC = 'A256GCM' as const;
/** The longest validity a sender may claim: bounds how long the replay guard must remember a jti. */
export const E2EE_MAX_TTL_SECONDS = 300;
/** Tolerated clock skew between the two sides. */
export const E2EE_CLOCK_TOLERANCE_SECONDS = 30;

export type E2eeErrorCode = 'e2ee_invalid' | 'e2ee_replay' | 'e2ee_expired';

/** Why a message was refused, as a stable code; the message never says which check failed beyond it. */
export class E2eeError extends Error {
  override readonly name = 'E2eeError';
  constructor(readonly code: E2eeErrorCode) {
    super(
      code === 'e2ee_replay'
        ? 'the sealed message was already received'
        : code === 'e2ee_expired'
          ? 'the sealed message has expired'
          : 'the sealed message is not valid for this recipient, sender or purpose',
    );
  }
}

/** A public EC P-256 JWK with its kid (RFC 7638 thumbprint): what each side publishes. */
export interface E2eePublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid?: string;
}
export interface E2eePrivateJwk extends E2eePublicJwk {
  d: string;
}

export interface E2eeKeys {
  /** ES256: signs what this side sends. */
  signing: { publicJwk: E2eePublicJwk; privateJwk: E2eePrivateJwk };
  /** ECDH-ES+A256KW: what the other side encrypts to. A separate key: no key serves two algorithms. */
  encryption: { publicJwk: E2eePublicJwk; privateJwk: E2eePrivateJwk };
}

async function generateOne(alg: string): Promise<E2eeKeys['signing']> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { crv: 'P-256', extractable: true });
  const pub = (await exportJWK(publicKey)) as E2eePublicJwk;
  const kid = await calculateJwkThumbprint(pub);
  const priv = (await exportJWK(privateKey)) as E2eePrivateJwk;
  return {
    publicJwk: { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y, kid },
    privateJwk: { kty: 'EC', crv: 'P-256', x: priv.x, y: priv.y, d: priv.d, kid },
  };
}

/**
 * Imported keys by algorithm and key material: importing a JWK costs about as much as a signature,
 * and both sides use the same few keys for every message. Bounded (oldest out first).
 */
const importedKeys = new Map<string, ReturnType<typeof importJWK>>();
const IMPORTED_KEYS_MAX = 1024;

function importKey(jwk: E2eePublicJwk | E2eePrivateJwk, alg: string): ReturnType<typeof importJWK> {
  const d = 'd' in jwk ? jwk.d : '';
  const cacheKey = `${alg}.${jwk.x}.${jwk.y}.${d}`;
  let key = importedKeys.get(cacheKey);
  if (!key) {
    key = importJWK(d ? jwk : publicE2eeJwk(jwk), alg);
    key.catch(() => importedKeys.delete(cacheKey));
    if (importedKeys.size >= IMPORTED_KEYS_MAX) importedKeys.delete(importedKeys.keys().next().value!);
    importedKeys.set(cacheKey, key);
  }
  return key;
}

export async function generateE2eeKeys(): Promise<E2eeKeys> {
  return { signing: await generateOne(E2EE_SIGNING_ALG), encryption: await generateOne(E2EE_KEY_ALG) };
}

/** Only the public members (x, y, kty, crv, kid): a private JWK handed in by mistake is not published. */
export function publicE2eeJwk(jwk: E2eePublicJwk): E2eePublicJwk {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ...(jwk.kid !== undefined && { kid: jwk.kid }) };
}

export interface SealOptions {
  /** The sender (`iss`). */
  senderId: string;
  signingKey: E2eePrivateJwk;
  recipientEncryptionJwk: E2eePublicJwk;
  /** The purpose (`aud`): route and direction, so a message cannot be replayed as another one. */
  audience: string;
  ttlSeconds: number;
  /** Binds a response to its request (the request's jti). */
  inReplyTo?: string;
  /** For tests: the sender's time. */
  now?: Date;
}

export interface SealedMessage {
  jwe: string;
  jti: string;
}

/** Signs `payload` (any JSON) as a JWT and encrypts it to the recipient: a compact JWE with cty "JWT". */
export async function sealMessage(payload: unknown, options: SealOptions): Promise<SealedMessage> {
  if (!(options.ttlSeconds > 0 && options.ttlSeconds <= E2EE_MAX_TTL_SECONDS))
    throw new RangeError(`ttlSeconds must be in (0, ${E2EE_MAX_TTL_SECONDS}]`);
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jti = randomUUID();
  const signingKey = await importKey(options.signingKey, E2EE_SIGNING_ALG);
  const jws = await new SignJWT({
    msg: payload,
    ...(options.inReplyTo !== undefined && { rid: options.inReplyTo }),
  })
    .setProtectedHeader({
      alg: E2EE_SIGNING_ALG,
      typ: 'JWT',
      ...(options.signingKey.kid && { kid: options.signingKey.kid }),
    })
    .setIssuer(options.senderId)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds)
    .setJti(jti)
    .sign(signingKey);
  const recipient = await importKey(options.recipientEncryptionJwk, E2EE_KEY_ALG);
  const jwe = await new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({
      alg: E2EE_KEY_ALG,
      enc: E2EE_CONTENT_ENC,
      cty: 'JWT',
      ...(options.recipientEncryptionJwk.kid && { kid: options.recipientEncryptionJwk.kid }),
    })
    .encrypt(recipient);
  return { jwe, jti };
}

/**
 * The jtis already accepted, each remembered until its message expires. Bounded: when full, the
 * oldest entries are dropped and a floor rises to their expiry — any message expiring at or before
 * the floor is refused as a possible replay, so dropping never re-opens a replay window (it can
 * only refuse an old, almost-expired message).
 *
 * In memory, per process: right for a Primary that runs as one process per deployment. With several
 * replicas behind one listener address, a replay sent to another replica would pass; they would need
 * a shared seen-set (e.g. Redis `SET jti NX EX <ttl>`) behind this same `accept` call.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private floor = 0;

  constructor(private readonly maxEntries = 100_000) {}

  /** Records `jti` (valid until `expiresAt`, epoch seconds); false when it was seen before. */
  accept(jti: string, expiresAt: number, nowSeconds: number): boolean {
    if (expiresAt <= this.floor) return false;
    if (this.seen.has(jti)) return false;
    for (const [key, exp] of this.seen) {
      // Entries are inserted in roughly expiry order: stop at the first live one.
      if (exp + E2EE_CLOCK_TOLERANCE_SECONDS >= nowSeconds) break;
      this.seen.delete(key);
    }
    while (this.seen.size >= this.maxEntries) {
      const [key, exp] = this.seen.entries().next().value!;
      this.floor = Math.max(this.floor, exp);
      this.seen.delete(key);
    }
    this.seen.set(jti, expiresAt);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

export interface OpenOptions {
  decryptionKey: E2eePrivateJwk;
  /** The one key the message must be signed with (the authenticated sender's). */
  senderSigningJwk: E2eePublicJwk;
  expectedIssuer: string;
  expectedAudience: string;
  /** For a response: the jti of the request it answers. */
  expectedInReplyTo?: string;
  replayGuard: ReplayGuard;
  /** For tests: the recipient's time. */
  now?: Date;
}

export interface OpenedMessage {
  message: unknown;
  /** The message's id: a response binds to it (`inReplyTo`). */
  jti: string;
}

/** Decrypts, verifies and checks a message from {@link sealMessage}; returns its payload or throws {@link E2eeError}. */
export async function openMessage(jwe: string, options: OpenOptions): Promise<unknown> {
  return (await openMessageWithId(jwe, options)).message;
}

/** {@link openMessage}, with the message's jti. */
export async function openMessageWithId(jwe: string, options: OpenOptions): Promise<OpenedMessage> {
  const now = options.now ?? new Date();
  let jws: string;
  try {
    // Only exactly these algorithms: a crafted header cannot downgrade (or switch to `dir`/PBES2).
    const decrypted = await compactDecrypt(jwe, await importKey(options.decryptionKey, E2EE_KEY_ALG), {
      keyManagementAlgorithms: [E2EE_KEY_ALG],
      contentEncryptionAlgorithms: [E2EE_CONTENT_ENC],
    });
    if (decrypted.protectedHeader.cty !== 'JWT') throw new E2eeError('e2ee_invalid');
    jws = new TextDecoder().decode(decrypted.plaintext);
    if (decodeProtectedHeader(jws).alg !== E2EE_SIGNING_ALG) throw new E2eeError('e2ee_invalid');
  } catch {
    throw new E2eeError('e2ee_invalid');
  }
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(jws, await importKey(options.senderSigningJwk, E2EE_SIGNING_ALG), {
      algorithms: [E2EE_SIGNING_ALG],
      issuer: options.expectedIssuer,
      audience: options.expectedAudience,
      requiredClaims: ['iss', 'aud', 'iat', 'exp', 'jti'],
      maxTokenAge: E2EE_MAX_TTL_SECONDS + E2EE_CLOCK_TOLERANCE_SECONDS,
      clockTolerance: E2EE_CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    }));
  } catch (error) {
    throw new E2eeError(error instanceof joseErrors.JWTExpired ? 'e2ee_expired' : 'e2ee_invalid');
  }
  const { jti, exp, iat } = claims as { jti: unknown; exp: number; iat: number };
  if (typeof jti !== 'string' || jti.length > 128 || exp - iat > E2EE_MAX_TTL_SECONDS)
    throw new E2eeError('e2ee_invalid');
  if (options.expectedInReplyTo !== undefined && claims['rid'] !== options.expectedInReplyTo)
    throw new E2eeError('e2ee_invalid');
  if (!('msg' in claims)) throw new E2eeError('e2ee_invalid');
  // Last, after the signature: only a message its sender really signed takes room in the guard.
  if (!options.replayGuard.accept(jti, exp, Math.floor(now.getTime() / 1000)))
    throw new E2eeError('e2ee_replay');
  return { message: claims['msg'], jti };
}
