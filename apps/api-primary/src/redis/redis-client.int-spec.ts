import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { ProblemException } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import { loadPrimaryConfig } from '../config/primary.config';
import { requireRedis } from './platform-degraded';
import { createRedisClient } from './redis.module';

/**
 * The Primary's Redis client against a peer that hangs a naive client: a real socket that accepts
 * and never answers (a hung or partitioned Redis); the e2e spec covers a stopped one.
 * Real: sockets, ioredis. Nothing mocked.
 */
describe('Redis client bounds (real sockets)', () => {
  const sockets: Socket[] = [];
  let silent: Server;
  let clients: Redis[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket)); // reads nothing, writes nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => {
    for (const client of clients) client.disconnect();
    clients = [];
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const client = (url: string) => {
    const redis = createRedisClient(
      loadPrimaryConfig({
        DATABASE_URL: 'postgres://h/db',
        REDIS_URL: url,
        JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----',
        MASTER_KEY: randomBytes(32).toString('base64'),
        REDIS_CONNECT_TIMEOUT_MS: '300',
        REDIS_COMMAND_TIMEOUT_MS: '300',
      }),
    );
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };

  it('fails a command to a Redis that never answers within REDIS_COMMAND_TIMEOUT_MS, as 503 platform_degraded', async () => {
    const address = silent.address();
    const redis = client(`redis://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    const failure = await requireRedis(() => redis.incr('k')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ProblemException);
    expect((failure as ProblemException).getStatus()).toBe(503);
    expect((failure as ProblemException).code).toBe('platform_degraded');
    expect((failure as ProblemException).extra.headers).toEqual({ 'retry-after': '5' });
  });
});
