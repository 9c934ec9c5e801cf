import { Redis } from 'ioredis';

/**
 * The gateway's optional Redis (REDIS_URL). Bounded like the Primary's: a command fails within
 * about two seconds while Redis is away, so the lease answers "not held" instead of hanging.
 */
export function createGatewayRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    commandTimeout: 2000,
    keyPrefix: 'mazevault:gateway:',
  });
}
