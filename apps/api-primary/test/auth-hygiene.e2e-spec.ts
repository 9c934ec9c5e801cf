import { startLocalRedis } from '@mazevault/dev-platform';
import { testRedis } from '@mazevault/testing';
import { Redis } from 'ioredis';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { createPrivateKey } from 'node:crypto';
import { REDIS } from '../src/redis/redis.module';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Login hygiene across replicas and failures: the rate limit and the lockout hold for the
 * deployment (two real Primaries sharing one Redis prefix), login fails clearly while Redis is down,
 * and verification enforces the token lifetime caps. Real PostgreSQL, Redis and HTTP throughout.
 */
describe('auth hygiene: two replicas sharing one Redis', () => {
  const prefix = testRedis('auth-hygiene').keyPrefix;
  const env = {
    REDIS_KEY_PREFIX: prefix,
    TRUST_PROXY: 'true',
    AUTH_RATE_LIMIT_PER_MINUTE: '6',
    LOGIN_MAX_FAILURES: '3',
  };
  let a: PrimaryTestApp;
  let b: PrimaryTestApp;
  let adminToken: string;

  beforeAll(async () => {
    a = await startPrimary('auth-hygiene', env);
    // The second replica: same database and Redis prefix, its own process state.
    b = await startPrimary('auth-hygiene-b', { ...env, DATABASE_URL: a.config.DATABASE_URL });
    adminToken = await login(a.baseUrl, a.admin.email, a.admin.password);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const attempt = (replica: PrimaryTestApp, email: string, clientIp: string) =>
    call(replica.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email, password: 'wrong password' },
      headers: { 'x-forwarded-for': clientIp },
    });

  it('rate-limits a client IP at the configured number across replicas, not once per replica', async () => {
    const statuses: number[] = [];
    // Alternating replicas, a fresh identity each time (so only the per-IP limit can refuse).
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await attempt(i % 2 ? b : a, `rl-${i}-${Date.now()}@example.test`, '198.51.100.7')).status,
      );
    expect(statuses).toEqual([...Array(6).fill(401), ...Array(6).fill(429)]);

    const refused = await attempt(a, `rl-last-${Date.now()}@example.test`, '198.51.100.7');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another client is not affected.
    expect((await attempt(b, `rl-other-${Date.now()}@example.test`, '198.51.100.8')).status).toBe(401);
  });

  it('locks an identity after LOGIN_MAX_FAILURES attempts even when they arrive at once on both replicas', async () => {
    const email = `race-${Date.now()}@example.test`;
    // Each from its own IP, so the per-IP rate limit plays no part.
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => attempt(i % 2 ? b : a, email, `203.0.113.${i + 1}`)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
    expect(results.find((r) => r.status === 429)?.body.code).toBe('too_many_attempts');
  });

  it('keeps only digests in Redis, under the deployment prefix', async () => {
    const redis = new Redis(a.config.REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.some((k) => k.includes('mv:auth-rate:'))).toBe(true);
      expect(keys.some((k) => k.includes('mv:login-failures:'))).toBe(true);
      expect(keys.join('\n')).not.toMatch(/@|example\.test|198\.51\.100|203\.0\.113/);
      // Every counter expires (INCR and its expiry are one atomic step).
      for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  describe('session tokens signed with our key but outside policy are refused', () => {
    const sign = async (build: (jwt: SignJWT) => SignJWT) => {
      const claims = decodeJwt(adminToken);
      const jwt = new SignJWT({ org: claims.org })
        .setProtectedHeader({ alg: 'ES256', kid: decodeProtectedHeader(adminToken).kid })
        .setIssuer('mazevault');
      return build(jwt.setSubject(claims.sub!)).sign(createPrivateKey(a.config.JWT_PRIVATE_KEY));
    };
    const now = () => Math.floor(Date.now() / 1000);

    it.each([
      [
        'a 10-year lifetime',
        (j: SignJWT) =>
          j
            .setAudience('mazevault-api')
            .setIssuedAt()
            .setExpirationTime(now() + 10 * 365 * 86_400),
      ],
      [
        'a lifetime one second over JWT_TTL_SECONDS',
        (j: SignJWT) =>
          j
            .setAudience('mazevault-api')
            .setIssuedAt(now())
            .setExpirationTime(now() + 901),
      ],
      ['no iat', (j: SignJWT) => j.setAudience('mazevault-api').setExpirationTime(now() + 600)],
      [
        'an iat in the future',
        (j: SignJWT) =>
          j
            .setAudience('mazevault-api')
            .setIssuedAt(now() + 3600)
            .setExpirationTime(now() + 3700),
      ],
      [
        'an audience array (JWT_ALLOW_AUDIENCE_ARRAY off)',
        (j: SignJWT) =>
          j
            .setAudience(['mazevault-api', 'another-api'])
            .setIssuedAt()
            .setExpirationTime(now() + 600),
      ],
      [
        'a subject that is not a UUID',
        (j: SignJWT) =>
          j
            .setSubject('not-a-uuid')
            .setAudience('mazevault-api')
            .setIssuedAt()
            .setExpirationTime(now() + 600),
      ],
    ])('%s → 401 invalid_token', async (_name, build) => {
      const response = await call(a.baseUrl, 'GET', '/api/v1/users', { token: await sign(build) });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('invalid_token');
    });

    it('accepts the same token within policy (the refusals above are for their flaw only)', async () => {
      const token = await sign((j) =>
        j
          .setAudience('mazevault-api')
          .setIssuedAt(now())
          .setExpirationTime(now() + 900),
      );
      expect((await call(a.baseUrl, 'GET', '/api/v1/users', { token })).status).toBe(200);
    });
  });

  describe('API tokens honour API_TOKEN_MAX_TTL_DAYS on verification', () => {
    const createToken = async (name: string) => {
      const created = await call(a.baseUrl, 'POST', '/api/v1/tokens', {
        token: adminToken,
        body: { name, permissions: ['users:read'], expiresInDays: 30 },
      });
      expect(created.status).toBe(201);
      return created.body as { id: string; token: string };
    };

    it('refuses a row whose expiry lies beyond the cap measured from its creation', async () => {
      const { id, token } = await createToken('written-around-the-api');
      // As if written directly to the database: created 400 days ago (cap 365), expiring in ten years.
      await a.dataSource.query(
        `UPDATE api_tokens SET created_at = now() - interval '400 days', expires_at = now() + interval '3650 days' WHERE id = $1`,
        [id],
      );
      const response = await call(a.baseUrl, 'GET', '/api/v1/users', { token });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('invalid_token');
    });

    it('accepts a long row while it is still inside the cap from its creation', async () => {
      const { id, token } = await createToken('long-but-young');
      await a.dataSource.query(
        `UPDATE api_tokens SET expires_at = now() + interval '3650 days' WHERE id = $1`,
        [id],
      );
      expect((await call(a.baseUrl, 'GET', '/api/v1/users', { token })).status).toBe(200);
    });
  });
});

describe('auth hygiene: while Redis is unreachable', () => {
  let redis: { url: string; stop(): void };
  let primary: PrimaryTestApp;
  let adminToken: string;

  beforeAll(async () => {
    // A Redis of this suite's own, so stopping it disturbs nobody (never the shared one).
    redis = await startLocalRedis();
    primary = await startPrimary('auth-degraded', { REDIS_URL: redis.url });
    adminToken = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    redis.stop();
    // Wait until the Primary's client has seen the connection drop.
    const client = primary.app.get<Redis>(REDIS);
    for (let i = 0; i < 200 && client.status === 'ready'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(client.status).not.toBe('ready');
  });
  afterAll(async () => {
    await primary?.close();
    redis?.stop();
  });

  it('answers login with 503 platform_degraded and Retry-After, quickly', async () => {
    const started = Date.now();
    const response = await call(primary.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: primary.admin.email, password: primary.admin.password },
    });
    // The default REDIS_COMMAND_TIMEOUT_MS (2 s) bounds the wait; ioredis must not queue the command forever.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toMatchObject({
      status: 503,
      code: 'platform_degraded',
      type: 'https://mazevault.dev/problems/platform_degraded',
    });
  });

  it('keeps serving reads and writes that do not need Redis', async () => {
    expect((await call(primary.baseUrl, 'GET', '/api/v1/users', { token: adminToken })).status).toBe(200);
    const created = await call(primary.baseUrl, 'POST', '/api/v1/users', {
      token: adminToken,
      body: {
        email: `degraded-${Date.now()}@example.test`,
        password: 'a long enough password',
        role: 'viewer',
      },
    });
    expect(created.status).toBe(201);
    expect((await call(primary.baseUrl, 'GET', '/api/v1/auth/jwks')).status).toBe(200);
  });
});
