import { DEFAULT_TEST_REDIS_URL } from '@mazevault/testing';
import { randomUUID } from 'node:crypto';
import { createGatewayRedis } from '../redis/redis.client';
import { RedisTaskLease } from './task-lease';

describe('RedisTaskLease (real Redis)', () => {
  const redis = createGatewayRedis(process.env['TEST_REDIS_URL'] ?? DEFAULT_TEST_REDIS_URL);
  afterAll(() => redis.disconnect());

  it('lets one replica of a gateway hold the lease, renews it past its TTL, and hands it over on release', async () => {
    const key = `${randomUUID()}:task-lease`;
    const a = new RedisTaskLease(redis, key, 300);
    const b = new RedisTaskLease(redis, key, 300);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    await new Promise((r) => setTimeout(r, 700)); // over two TTLs: only renewal keeps it
    expect(await b.acquire()).toBe(false);
    expect(await a.acquire()).toBe(true);
    await a.release();
    expect(await b.acquire()).toBe(true);
    // A replica that lost the lease cannot drop the new holder's.
    await a.release();
    expect(await redis.exists(key)).toBe(1);
    await b.release();
    expect(await redis.exists(key)).toBe(0);
  });

  it('does not claim the lease when Redis cannot be reached', async () => {
    const down = createGatewayRedis('redis://127.0.0.1:1');
    const lease = new RedisTaskLease(down, `${randomUUID()}:task-lease`, 300);
    try {
      expect(await lease.acquire()).toBe(false);
    } finally {
      await lease.release();
      down.disconnect();
    }
  });
});
