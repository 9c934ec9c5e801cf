import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '@mazevault/crypto';
import type { Redis } from 'ioredis';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { REDIS } from '../redis/redis.module';

/**
 * Failed-login counting per canonical identity, in Redis so every replica shares it. The bucket key
 * is a digest: Redis never holds the email address. After LOGIN_MAX_FAILURES failures the identity is
 * locked for LOGIN_LOCKOUT_SECONDS, whether or not the user exists.
 */
@Injectable()
export class LoginLockoutService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  /** Seconds until the identity may try again, or 0 when it is not locked. */
  async lockedFor(identity: string): Promise<number> {
    const key = this.key(identity);
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)]);
    return Number(count ?? 0) >= this.config.LOGIN_MAX_FAILURES ? Math.max(ttl, 1) : 0;
  }

  async recordFailure(identity: string): Promise<void> {
    const key = this.key(identity);
    const failures = await this.redis.incr(key);
    // The window starts at the first failure; reaching the limit (re)starts the full lockout period.
    if (failures === 1 || failures >= this.config.LOGIN_MAX_FAILURES) {
      await this.redis.expire(key, this.config.LOGIN_LOCKOUT_SECONDS);
    }
  }

  async reset(identity: string): Promise<void> {
    await this.redis.del(this.key(identity));
  }

  private key(identity: string): string {
    return `mv:login-failures:${sha256Hex(identity)}`;
  }
}
