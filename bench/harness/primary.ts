// The real Primary for benches: its production entry point (apps/api-primary/src/main.ts) in a child
// process, on a scratch PostgreSQL database (migrated, with an admin) and the test Redis.
import 'reflect-metadata';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { freePort } from '@mazevault/platform';
import { createTestDatabase, testRedis } from '@mazevault/testing';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { bootstrapAdmin } from '../../apps/api-primary/src/bootstrap/bootstrap-admin';
import { log } from './report';
import { startServerProcess } from './server-process';

export interface BenchPrimary {
  url: string;
  pid: number;
  /** A session token of the bootstrap admin. */
  adminToken: string;
  /** Stops the Primary and drops its database. */
  stop(): Promise<void>;
}

export async function startBenchPrimary(
  label: string,
  env: Record<string, string> = {},
): Promise<BenchPrimary> {
  const database = await createTestDatabase(`bench_${label}`);
  try {
    log('migrating a scratch database and creating an admin');
    const password = randomBytes(12).toString('base64url');
    const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const { email } = await bootstrapAdmin(dataSource, { email: 'bench@example.test', password });
    await dataSource.destroy();

    const primary = await startServerProcess('apps/api-primary/src/main.ts', {
      port: await freePort(),
      label: 'api-primary',
      env: {
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        DATABASE_URL: database.url,
        REDIS_URL: testRedis('bench').url,
        JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        MASTER_KEY: randomBytes(32).toString('base64'),
        ...env,
      },
    });
    const session = await requestJson(`${primary.url}/api/v1/auth/login`, 'POST', { email, password });
    return {
      url: primary.url,
      pid: primary.pid,
      adminToken: session.token as string,
      async stop() {
        await primary.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** A JSON call that must succeed (setup steps of a bench). */
export async function requestJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}
