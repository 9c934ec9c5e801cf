import { Inject, Injectable } from '@nestjs/common';
import { DecryptionError, openWithToken, sealWithNewToken, sha256Hex } from '@mazevault/crypto';
import { WrappedResponseEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { DataSource, LessThan } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

export interface WrapInfo {
  token: string;
  ttl: number;
  expiresAt: string;
}

/**
 * Response wrapping: a value handed over as a single-use token with a TTL (Vault's `wrap_ttl`). The
 * row is encrypted under a key derived from the token, and unwrapping deletes it atomically, so a
 * second unwrap — or one after expiry — fails.
 */
@Injectable()
export class WrappingService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async wrap(organizationId: string, payload: unknown, ttlSeconds: number): Promise<WrapInfo> {
    if (ttlSeconds > this.config.WRAP_MAX_TTL_SECONDS) {
      throw new ProblemException(
        400,
        'invalid_wrap_ttl',
        `wrap_ttl is at most ${this.config.WRAP_MAX_TTL_SECONDS} seconds`,
      );
    }
    const plaintext = Buffer.from(JSON.stringify(payload), 'utf8');
    const sealed = sealWithNewToken(plaintext);
    plaintext.fill(0);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    const repo = this.dataSource.getRepository(WrappedResponseEntity);
    await repo.delete({ expiresAt: LessThan(now) }); // housekeeping: expired wraps can never be used
    await repo.insert({ tokenHash: sealed.tokenHash, organizationId, ciphertext: sealed.sealed, expiresAt });
    return { token: sealed.token, ttl: ttlSeconds, expiresAt: expiresAt.toISOString() };
  }

  /** `attribute` learns the wrapping organization (for the audit log) once the token is found. */
  async unwrap(token: string, attribute?: (organizationId: string) => void): Promise<unknown> {
    // Deleting is the read: of two concurrent unwraps, exactly one gets the row.
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(WrappedResponseEntity)
      .where('token_hash = :hash', { hash: sha256Hex(token) })
      .returning('ciphertext, expires_at, organization_id')
      .execute();
    const row = (result.raw as { ciphertext: string; expires_at: Date; organization_id: string }[])[0];
    if (!row)
      throw new ProblemException(
        400,
        'invalid_wrapping_token',
        'The wrapping token is unknown or was already used',
      );
    attribute?.(row.organization_id);
    if (!(new Date(row.expires_at).getTime() > this.clock.now().getTime())) {
      throw new ProblemException(400, 'wrapping_token_expired', 'The wrapping token has expired');
    }
    try {
      return JSON.parse(openWithToken(token, row.ciphertext).toString('utf8'));
    } catch (error) {
      if (error instanceof DecryptionError)
        throw new ProblemException(400, 'invalid_wrapping_token', 'The wrapping token is invalid');
      throw error;
    }
  }
}
