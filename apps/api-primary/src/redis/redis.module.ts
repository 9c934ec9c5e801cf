import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

export const REDIS = Symbol('REDIS');

/**
 * The Primary's Redis client. While Redis is unreachable, ioredis queues commands and reconnects
 * forever; the bounds here make each queued command fail within about REDIS_COMMAND_TIMEOUT_MS
 * (one retry, bounded connect and command time), so callers answer 503 instead of hanging.
 */
export function createRedisClient(config: PrimaryConfig): Redis {
  return new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: config.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    keyPrefix: config.REDIS_KEY_PREFIX,
  });
}

@Global()
@Module({
  providers: [{ provide: REDIS, inject: [PRIMARY_CONFIG], useFactory: createRedisClient }],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
