import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '@mazevault/platform';
import { Redis } from 'ioredis';

export class RedisUnavailableError extends Error {}

/**
 * Starts a throw-away `redis-server` (nothing persisted) on a free loopback port, for the dev
 * platform when no REDIS_URL is given.
 */
export async function startLocalRedis(): Promise<{ url: string; stop(): void }> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new RedisUnavailableError(
      'No REDIS_URL given and no redis-server on PATH. Either install Redis (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL=redis://host:6379.',
    );
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore', detached: true },
  );
  // However the dev platform ends, its throw-away Redis ends with it (its own process group: a Ctrl+C
  // reaches the platform, which stops it after the services that use it).
  process.once('exit', () => child.kill());
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // connection refusals while it boots are expected
  for (let attempt = 0; ; attempt++) {
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch (error) {
      client.disconnect();
      if (attempt > 50 || child.exitCode !== null)
        throw new RedisUnavailableError(`redis-server did not start: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, stop: () => child.kill() };
}
