import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CacheInvalidationBus, RedisCacheInvalidationBus } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module';

@Global()
@Module({
  providers: [
    {
      provide: RedisCacheInvalidationBus,
      inject: [REDIS],
      useFactory: async (redis: Redis) => {
        const bus = new RedisCacheInvalidationBus(redis, new Logger('CacheInvalidationBus'));
        await bus.start();
        return bus;
      },
    },
    { provide: CacheInvalidationBus, useExisting: RedisCacheInvalidationBus },
  ],
  exports: [CacheInvalidationBus],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(RedisCacheInvalidationBus) private readonly bus: RedisCacheInvalidationBus) {}

  onApplicationShutdown(): void {
    this.bus.close();
  }
}
