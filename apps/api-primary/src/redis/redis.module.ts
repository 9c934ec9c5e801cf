import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [PRIMARY_CONFIG],
      useFactory: (config: PrimaryConfig) =>
        // One retry per command: a request fails fast while Redis is down instead of hanging.
        new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 }),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
