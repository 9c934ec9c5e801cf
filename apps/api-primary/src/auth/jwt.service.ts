import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from '@mazevault/platform';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { sha256Hex } from '@mazevault/crypto';
import { TtlCache } from '@mazevault/platform';

/** The claims MazeVault puts in a user session token. */
export interface SessionClaims {
  sub: string;
  org: string;
  exp: number;
  /** When the session was issued, in milliseconds (compared with the user's `sessionsNotBefore`). */
  issuedAtMs: number;
}

const ALGORITHM = 'ES256';
const CLOCK_TOLERANCE_SECONDS = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Issues and verifies user session JWTs: ES256 with a `kid`, verification pinned to that algorithm,
 * issuer, audience and key (so `alg: none`, HS256-with-the-public-key and foreign keys all fail),
 * with a lifetime no longer than JWT_MAX_TTL_SECONDS and UUID subject and organization.
 * Verified tokens are cached until expiry: an ES256 verify costs ~80 µs, the cache lookup ~1 µs.
 */
@Injectable()
export class JwtService implements OnModuleInit {
  private privateKey!: KeyObject;
  private kid!: string;
  /** Verification keys by kid: the current one, and the previous one during a rotation. */
  private readonly verificationKeys = new Map<string, { key: KeyObject; jwk: JWK }>();
  /** Keyed by the token's digest (the map never holds a usable token); each entry expires with its token. */
  private readonly cache = new TtlCache<SessionClaims>(0, 10_000);

  constructor(
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.privateKey = createPrivateKey(this.config.JWT_PRIVATE_KEY);
    const details = this.privateKey.asymmetricKeyDetails;
    if (this.privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
      throw new Error('JWT_PRIVATE_KEY must be an EC P-256 key (ES256)');
    }
    this.kid = await this.addVerificationKey(createPublicKey(this.privateKey));
    if (this.config.JWT_PREVIOUS_KEY) {
      const previous = createPublicKey(this.config.JWT_PREVIOUS_KEY);
      if (previous.asymmetricKeyType !== 'ec' || previous.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new Error('JWT_PREVIOUS_KEY must be an EC P-256 key (ES256)');
      }
      await this.addVerificationKey(previous);
    }
  }

  private async addVerificationKey(key: KeyObject): Promise<string> {
    const jwk = await exportJWK(key);
    const kid = await calculateJwkThumbprint(jwk);
    this.verificationKeys.set(kid, { key, jwk: { ...jwk, kid, alg: ALGORITHM, use: 'sig' } });
    return kid;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.verificationKeys.values()].map((k) => k.jwk) };
  }

  async issue(userId: string, organizationId: string): Promise<{ token: string; expiresAt: Date }> {
    // One instant for iat and exp, so exp − iat is exactly the TTL that verification caps.
    const issuedAtMs = this.clock.now().getTime();
    const issuedAt = Math.floor(issuedAtMs / 1000);
    const expiresAt = new Date((issuedAt + this.config.JWT_TTL_SECONDS) * 1000);
    // `ims`: iat to the millisecond, so a logout and a new login within one second stay ordered.
    const token = await new SignJWT({ org: organizationId, ims: issuedAtMs })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience(this.config.JWT_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.config.JWT_TTL_SECONDS)
      .sign(this.privateKey);
    return { token, expiresAt };
  }

  /** The claims of a valid token, or `undefined` for any invalid one (the caller answers 401). */
  async verify(token: string): Promise<SessionClaims | undefined> {
    const key = sha256Hex(token);
    const cached = this.cache.get(key);
    if (cached) return cached;
    try {
      const maxTtl = this.config.JWT_MAX_TTL_SECONDS ?? this.config.JWT_TTL_SECONDS;
      const { payload } = await jwtVerify(
        token,
        (header) => {
          // The key is chosen by kid among ours only; anything else fails before any signature check.
          const entry = header.kid === undefined ? undefined : this.verificationKeys.get(header.kid);
          if (!entry) throw new Error('unknown kid');
          return entry.key;
        },
        {
          algorithms: [ALGORITHM],
          issuer: this.config.JWT_ISSUER,
          audience: this.config.JWT_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'org', 'iat'],
          // iat present, not in the future, and no older than the longest session.
          maxTokenAge: maxTtl,
          // Replicas' clocks differ by a little: without leeway a token issued by one could be "from the future" on another.
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          // The same clock that stamps iat/exp on issue.
          currentDate: this.clock.now(),
        },
      );
      if (
        typeof payload.org !== 'string' ||
        typeof payload.sub !== 'string' ||
        typeof payload.exp !== 'number' ||
        typeof payload.iat !== 'number'
      )
        return undefined;
      // A key holder (or a bug) could sign a 10-year session: the cap holds on verification too.
      if (payload.exp - payload.iat > maxTtl) return undefined;
      // We only ever issue the configured audience as a string; an array is a token minted for others too.
      if (Array.isArray(payload.aud) && !this.config.JWT_ALLOW_AUDIENCE_ARRAY) return undefined;
      // Ids are UUIDs; anything else is refused here, before it reaches a query (where it was a 500).
      if (!UUID.test(payload.sub) || !UUID.test(payload.org)) return undefined;
      // `ims` must fall within its `iat` second (a token without it counts from the start of that second).
      const ims = payload['ims'];
      const issuedAtMs =
        typeof ims === 'number' && Math.floor(ims / 1000) === payload.iat ? ims : payload.iat * 1000;
      const claims: SessionClaims = { sub: payload.sub, org: payload.org, exp: payload.exp, issuedAtMs };
      // Valid until the token itself expires.
      this.cache.set(key, claims, claims.exp * 1000 - this.clock.now().getTime());
      return claims;
    } catch {
      return undefined;
    }
  }
}
