import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { VerifiedTokenCache } from './verified-token.cache';

/** The claims MazeVault puts in a user session token. */
export interface SessionClaims {
  sub: string;
  org: string;
  exp: number;
}

const ALGORITHM = 'ES256';

/**
 * Issues and verifies user session JWTs: ES256 with a `kid`, verification pinned to that algorithm,
 * issuer, audience and key (so `alg: none`, HS256-with-the-public-key and foreign keys all fail).
 * Verified tokens are cached until expiry: an ES256 verify costs ~80 µs, the cache lookup ~1 µs.
 */
@Injectable()
export class JwtService implements OnModuleInit {
  private privateKey!: KeyObject;
  private publicKey!: KeyObject;
  private kid!: string;
  private publicJwk!: JWK;
  private readonly cache = new VerifiedTokenCache<SessionClaims>(10_000);

  constructor(@Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig) {}

  async onModuleInit(): Promise<void> {
    this.privateKey = createPrivateKey(this.config.JWT_PRIVATE_KEY);
    const details = this.privateKey.asymmetricKeyDetails;
    if (this.privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
      throw new Error('JWT_PRIVATE_KEY must be an EC P-256 key (ES256)');
    }
    this.publicKey = createPublicKey(this.privateKey);
    const jwk = await exportJWK(this.publicKey);
    this.kid = await calculateJwkThumbprint(jwk);
    this.publicJwk = { ...jwk, kid: this.kid, alg: ALGORITHM, use: 'sig' };
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async issue(userId: string, organizationId: string): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.config.JWT_TTL_SECONDS * 1000);
    const token = await new SignJWT({ org: organizationId })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience(this.config.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.privateKey);
    return { token, expiresAt };
  }

  /** The claims of a valid token, or `undefined` for any invalid one (the caller answers 401). */
  async verify(token: string): Promise<SessionClaims | undefined> {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const cached = this.cache.get(token, nowSeconds);
    if (cached) return cached;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'org'],
      });
      if (protectedHeader.kid !== this.kid || typeof payload.org !== 'string' || !payload.sub || !payload.exp) return undefined;
      const claims: SessionClaims = { sub: payload.sub, org: payload.org, exp: payload.exp };
      this.cache.set(token, claims, claims.exp);
      return claims;
    } catch {
      return undefined;
    }
  }
}
