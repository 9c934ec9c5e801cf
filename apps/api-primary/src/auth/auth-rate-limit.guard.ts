import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '@mazevault/crypto';
import { ProblemException } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { requireRedis } from '../redis/platform-degraded';
import { REDIS } from '../redis/redis.module';
import { countInWindow } from '../redis/windowed-counter';

const WINDOW_MS = 60_000;

/**
 * AUTH_RATE_LIMIT_PER_MINUTE requests per client IP and route, counted in Redis so the limit holds
 * for the deployment, not per replica (an in-process counter let N replicas allow N times as many
 * guesses). `req.ip` honours TRUST_PROXY. The key holds a digest of the address, not the address.
 * Redis unreachable → 503 platform_degraded: the limit fails closed.
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ ip?: string }>();
    const key = `mv:auth-rate:${context.getHandler().name}:${sha256Hex(request.ip ?? 'unknown')}`;
    const { count, remainingMs } = await requireRedis(() => countInWindow(this.redis, key, WINDOW_MS));
    if (count <= this.config.AUTH_RATE_LIMIT_PER_MINUTE) return true;
    const retryAfter = Math.max(Math.ceil(remainingMs / 1000), 1);
    throw new ProblemException(429, 'too_many_requests', `Too many requests; try again in ${retryAfter} s`, {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
}
