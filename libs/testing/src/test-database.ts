import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * The PostgreSQL server tests use: TEST_DATABASE_URL, else the local server. If neither is set and
 * the local server does not answer, a testcontainers PostgreSQL is started where a Docker socket
 * answers (not on machines without a Docker engine, where the local server is expected).
 */
async function serverUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  if (await answers(DEFAULT_TEST_DATABASE_URL)) return DEFAULT_TEST_DATABASE_URL;
  return startContainer();
}

let containerUrl: Promise<string> | undefined;
function startContainer(): Promise<string> {
  containerUrl ??= (async () => {
    const { existsSync } = await import('node:fs');
    if (!existsSync('/var/run/docker.sock')) {
      throw new Error(
        'No PostgreSQL for tests: set TEST_DATABASE_URL, start a local server on 127.0.0.1:5432, or provide a Docker engine for testcontainers',
      );
    }
    // Optional dependency: only needed where Docker runs and no server is configured.
    const moduleName = '@testcontainers/postgresql';
    const { PostgreSqlContainer } = (await import(moduleName)) as {
      PostgreSqlContainer: new (image: string) => { start(): Promise<{ getConnectionUri(): string }> };
    };
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return container.getConnectionUri();
  })();
  return containerUrl;
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A freshly created, empty database for one test suite; `drop()` removes it. */
export async function createTestDatabase(label = 'suite'): Promise<TestDatabase> {
  const base = await serverUrl();
  const name = `mv_test_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The Redis tests use, and a key prefix unique to the suite so suites never see each other's keys. */
export function testRedis(label = 'suite'): { url: string; keyPrefix: string } {
  return {
    url: process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL,
    keyPrefix: `mv-test:${label}:${randomBytes(4).toString('hex')}:`,
  };
}
