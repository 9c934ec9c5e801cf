import { AuditEventEntity, createPrimaryDataSource } from '@mazevault/persistence';
import { createTestDatabase, testRedis, type TestDatabase } from '@mazevault/testing';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { bootstrapAdmin } from '../src/bootstrap/bootstrap-admin';
import { call, login, type PrimaryProcess, startPrimaryProcess } from './primary-test-app';

/**
 * Runs the production entry point (main.ts) as a child process with trace-level logs, pushes
 * distinctive plaintext through every secrets path, then scans the logs, the audit table and every
 * Redis key for it.
 */
describe('no plaintext in logs, audit rows or Redis', () => {
  const plaintext = `PLAINTEXT-${randomBytes(8).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let database: TestDatabase;
  let dataSource: DataSource;
  let primary: PrimaryProcess | undefined;
  let base: string;
  const email = `hygiene-${Date.now()}@example.test`;

  beforeAll(async () => {
    database = await createTestDatabase('hygiene');
    dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await bootstrapAdmin(dataSource, { email, password });
    primary = await startPrimaryProcess('hygiene', database.url, {
      // Everything that can be logged is: the scan below is only as strong as the logs it reads.
      LOG_LEVEL: 'trace',
      ACCESS_LOG: 'all',
      AUDIT_SEAL_INTERVAL_MS: '200',
    });
    base = primary.base;
  }, 60_000);

  afterAll(async () => {
    primary?.child.kill('SIGTERM');
    await primary?.exited;
    await dataSource?.destroy();
    await database?.drop();
  });

  it('keeps values, passwords and tokens out of every sink', async () => {
    const token = await login(base, email, password);
    await call(base, 'POST', '/api/v1/projects', { token, body: { slug: 'hyg', name: 'Hygiene' } });
    const env = '/api/v1/projects/hyg/environments/prod';
    expect(
      (await call(base, 'PUT', `${env}/secrets/app/db`, { token, body: { value: { password: plaintext } } }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(base, 'PUT', `${env}/secrets/app/db`, {
          token,
          body: { value: { password: plaintext }, cas: 0 },
        })
      ).status,
    ).toBe(409);
    expect((await call(base, 'GET', `${env}/secrets/app/db`, { token })).body.value.password).toBe(plaintext);
    expect(
      (
        await call(
          base,
          'GET',
          `${env}/credentials?ref=${encodeURIComponent('azure://vault/app/db#password')}`,
          { token },
        )
      ).body.password,
    ).toBe(plaintext);
    const wrapped = await call(base, 'GET', `${env}/secrets/app/db?wrap_ttl=60`, { token });
    expect(
      (await call(base, 'POST', '/api/v1/wrapping/unwrap', { body: { token: wrapped.body.wrap.token } })).body
        .data.value.password,
    ).toBe(plaintext);
    await call(base, 'PUT', `${env}/secrets/bad//path`, { token, body: { value: plaintext } });
    await call(base, 'DELETE', `${env}/secrets/app/db`, { token });
    await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: `${plaintext}-wrong` } });
    const apiToken = (
      await call(base, 'POST', '/api/v1/tokens', {
        token,
        body: { name: 'ci', permissions: ['secrets:read'] },
      })
    ).body.token as string;
    await call(base, 'GET', `${env}/secrets/app/db?version=1`, { token: apiToken });
    // Waits for what the scan needs, not for a duration: the last request's access log line written,
    // and every audit event sealed by the periodic sealer.
    const lastRequestLogged = () => primary!.output().includes('/secrets/app/db?version=1');
    const unsealed = async () =>
      Number((await dataSource.query('SELECT count(*) AS n FROM audit_events WHERE hash IS NULL'))[0].n);
    while (!lastRequestLogged() || (await unsealed()) > 0) await new Promise((r) => setImmediate(r));

    const forbidden = [plaintext, password, token, apiToken, wrapped.body.wrap.token];
    const output = primary!.output();
    // The logs are real and verbose: they saw every request...
    expect(output).toMatch(/"url":"\/api\/v1\/projects\/hyg\/environments\/prod\/secrets\/app\/db"/);
    // ...and none of the secrets.
    for (const secret of forbidden) expect(output).not.toContain(secret);

    const audit = JSON.stringify(await dataSource.getRepository(AuditEventEntity).find());
    expect(audit).toContain('secret.read');
    expect(audit).toContain('secret.version.delete');
    for (const secret of forbidden) expect(audit).not.toContain(secret);

    const redis = new Redis(testRedis('hygiene').url);
    try {
      const dump: string[] = [];
      for (const key of await redis.keys('*')) {
        dump.push(key);
        const type = await redis.type(key);
        if (type === 'string') dump.push(String(await redis.get(key)));
        else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      const all = dump.join('\n');
      for (const secret of [...forbidden, email]) expect(all).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
  });
});
