import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '@mazevault/crypto';
import type { Redis } from 'ioredis';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { requireRedis } from '../redis/platform-degraded';
import { REDIS } from '../redis/redis.module';
import { countInWindow } from '../redis/windowed-counter';

/**
 * Login attempts per canonical identity, in Redis so every replica shares it. The bucket key is a
 * digest: Redis never holds the email address. An identity gets LOGIN_MAX_FAILURES attempts; one
 * more locks it for LOGIN_LOCKOUT_SECONDS from the last allowed failure, whether or not the user
 * exists. Redis unreachable → 503 platform_degraded (never a login without the check).
 *
 * The attempt is counted atomically *before* the password is checked: reading the count and
 * incrementing after the (slow) scrypt work let concurrent guesses, on one replica or many, all
 * read "not locked" and exceed the limit.
 */
@Injectable()
export class LoginLockoutService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  /** Counts one attempt; returns the seconds until the identity may try again, or 0 to go ahead. */
  async beginAttempt(identity: string): Promise<number> {
    const max = this.config.LOGIN_MAX_FAILURES;
    const { count, remainingMs } = await requireRedis(() =>
      countInWindow(this.redis, this.key(identity), this.config.LOGIN_LOCKOUT_SECONDS * 1000, max),
    );
    return count > max ? Math.max(Math.ceil(remainingMs / 1000), 1) : 0;
  }

  /** After a successful login: the identity's failures are forgiven. */
  async reset(identity: string): Promise<void> {
    await requireRedis(() => this.redis.del(this.key(identity)));
  }

  private key(identity: string): string {
    return `mv:login-failures:${sha256Hex(identity)}`;
  }
}
