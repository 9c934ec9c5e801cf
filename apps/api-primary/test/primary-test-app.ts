import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { freePort } from '@mazevault/platform';
import { createTestDatabase, testRedis, type TestDatabase } from '@mazevault/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { bootstrapAdmin } from '../src/bootstrap/bootstrap-admin';
import { loadPrimaryConfig, type PrimaryConfig } from '../src/config/primary.config';
import type { PrimaryAppOptions } from '../src/app.module';
import { createPrimaryApp } from '../src/primary.app';

export interface PrimaryTestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: PrimaryConfig;
  dataSource: DataSource;
  admin: { email: string; password: string };
  close(): Promise<void>;
}

/**
 * The real Primary on a real socket, against a fresh PostgreSQL database (migrated) and the test
 * Redis. What is real: everything. Nothing is mocked.
 */
export async function startPrimary(
  label: string,
  overrides: Record<string, string> = {},
  options: PrimaryAppOptions = {},
): Promise<PrimaryTestApp> {
  const database: TestDatabase = overrides.DATABASE_URL
    ? { url: overrides.DATABASE_URL, name: '', drop: async () => undefined }
    : await createTestDatabase(label);
  const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const config = loadPrimaryConfig({
    DATABASE_URL: database.url,
    REDIS_URL: testRedis(label).url,
    // Login counters live in Redis: each suite its own keys, so parallel suites never share a bucket.
    REDIS_KEY_PREFIX: testRedis(label).keyPrefix,
    JWT_PRIVATE_KEY: jwtKey,
    MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    AUDIT_SEAL_INTERVAL_MS: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    // Suites run in parallel: the gateway listener (default 8443) only where a suite asks for it.
    GATEWAY_LISTEN_PORT: 'off',
    ...overrides,
  });
  const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const adminEmail = overrides.ADMIN_EMAIL ?? `admin-${label}-${Date.now()}@example.test`;
  await bootstrapAdmin(dataSource, { email: adminEmail, password: 'correct horse battery staple' });
  const admin = { email: adminEmail };
  const app = await createPrimaryApp(config, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    dataSource,
    admin: { email: admin.email, password: 'correct horse battery staple' },
    async close() {
      await app.close();
      await dataSource.destroy();
      await database.drop();
    },
  };
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON fields they assert on
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body, headers: response.headers };
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const response = await call(base, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (response.status !== 200)
    throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return (response.body as { token: string }).token;
}

export interface PrimaryProcess {
  base: string;
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The production entry point (main.ts) in a child process, on an already-migrated database and the
 * test Redis, with only the environment given here; resolves once /api/v1/health/live answers.
 */
export async function startPrimaryProcess(
  label: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<PrimaryProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/api-primary/src/main.ts'], {
    cwd: join(__dirname, '..', '..', '..'),
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: testRedis(label).url,
      REDIS_KEY_PREFIX: testRedis(label).keyPrefix,
      JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      MASTER_KEY: randomBytes(32).toString('base64'),
      GATEWAY_LISTEN_PORT: 'off',
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  for (let i = 0; i < 150; i++) {
    const up = await fetch(`${base}/api/v1/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { base, child, output: () => output, exited };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`main.ts did not start:\n${output}`);
}
