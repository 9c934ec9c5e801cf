import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('Primary authentication (real PostgreSQL, Redis, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let adminToken: string;

  beforeAll(async () => {
    primary = await startPrimary('auth');
    base = primary.baseUrl;
    adminToken = await login(base, primary.admin.email, primary.admin.password);
  });
  afterAll(() => primary?.close());

  it('logs in and calls a guarded endpoint; without a token it is a 401 problem', async () => {
    const ok = await call(base, 'GET', '/api/v1/users', { token: adminToken });
    expect(ok.status).toBe(200);
    expect(ok.body.map((u: { email: string }) => u.email)).toContain(primary.admin.email);
    expect(JSON.stringify(ok.body)).not.toMatch(/scrypt|password/i);

    const denied = await call(base, 'GET', '/api/v1/users');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // Security headers on every response, errors included.
    expect(denied.headers.get('x-content-type-options')).toBe('nosniff');
    expect(denied.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(denied.body).toMatchObject({
      status: 401,
      code: 'unauthenticated',
      type: 'https://mazevault.dev/problems/unauthenticated',
    });
  });

  it('publishes the verification key as a JWKS whose kid the token carries', async () => {
    const jwks = await call(base, 'GET', '/api/v1/auth/jwks');
    expect(jwks.status).toBe(200);
    const [key] = jwks.body.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key.d).toBeUndefined();
    const header = JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'ES256', kid: key.kid });
  });

  describe('rejects forged and stale JWTs', () => {
    const claims = () => decodeJwt(adminToken);
    const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const ourKey = () => primary.config.JWT_PRIVATE_KEY;

    const forge = async (mutate: (jwt: SignJWT) => SignJWT, key: Parameters<SignJWT['sign']>[0]) =>
      mutate(
        new SignJWT({ org: claims().org })
          .setSubject(claims().sub!)
          .setIssuer('mazevault')
          .setAudience('mazevault-api')
          .setIssuedAt(),
      ).sign(key);

    it.each([
      [
        'alg=none',
        async () =>
          new UnsecuredJWT({ org: claims().org })
            .setSubject(claims().sub!)
            .setIssuer('mazevault')
            .setAudience('mazevault-api')
            .setExpirationTime('10m')
            .encode(),
      ],
      [
        'a key that is not ours',
        () =>
          forge(
            (j) =>
              j
                .setProtectedHeader({
                  alg: 'ES256',
                  kid: JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString()).kid,
                })
                .setExpirationTime('10m'),
            foreignKey,
          ),
      ],
      [
        'expired',
        async () =>
          forge(
            (j) =>
              j
                .setProtectedHeader({
                  alg: 'ES256',
                  kid: JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString()).kid,
                })
                .setExpirationTime(Math.floor(Date.now() / 1000) - 60),
            (await import('node:crypto')).createPrivateKey(ourKey()),
          ),
      ],
      [
        'wrong audience',
        async () =>
          forge(
            (j) =>
              j
                .setAudience('someone-else')
                .setProtectedHeader({
                  alg: 'ES256',
                  kid: JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString()).kid,
                })
                .setExpirationTime('10m'),
            (await import('node:crypto')).createPrivateKey(ourKey()),
          ),
      ],
      [
        'a tampered payload',
        async () => {
          const [h, , s] = adminToken.split('.');
          const payload = Buffer.from(
            JSON.stringify({ ...claims(), org: '00000000-0000-0000-0000-000000000000' }),
          ).toString('base64url');
          return `${h}.${payload}.${s}`;
        },
      ],
    ])('%s → 401', async (_name, makeToken) => {
      const token = await makeToken();
      const response = await call(base, 'GET', '/api/v1/users', { token });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('invalid_token');
    });

    it('accepts a token we signed ourselves with the same claims (the forgeries fail for their flaw only)', async () => {
      const kid = JSON.parse(Buffer.from(adminToken.split('.')[0], 'base64url').toString()).kid;
      const token = await forge(
        (j) => j.setProtectedHeader({ alg: 'ES256', kid }).setExpirationTime('10m'),
        (await import('node:crypto')).createPrivateKey(ourKey()),
      );
      expect((await call(base, 'GET', '/api/v1/users', { token })).status).toBe(200);
    });
  });

  describe('lockout', () => {
    const attempt = (email: string, password: string) =>
      call(base, 'POST', '/api/v1/auth/login', { body: { email, password } });

    it('locks an identity after 5 failures for all its case, whitespace and Unicode variants', async () => {
      const email = `lock-${Date.now()}@example.test`;
      const created = await call(base, 'POST', '/api/v1/users', {
        token: adminToken,
        body: { email, password: 'a long enough password', role: 'viewer' },
      });
      expect(created.status).toBe(201);
      const variants = [
        email.toUpperCase(),
        ` ${email} `,
        email.replace('lock', 'ｌｏｃｋ'),
        `\u00a0${email}`,
        email,
      ];
      for (const variant of variants) expect((await attempt(variant, 'wrong password')).status).toBe(401);
      // A control character (a tab) is refused at the boundary before any password check.
      expect((await attempt(`\t${email}`, 'a long enough password')).status).toBe(400);
      const locked = await attempt(email, 'a long enough password');
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('too_many_attempts');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    });

    it('answers a known and an unknown user identically', async () => {
      const known = `known-${Date.now()}@example.test`;
      await call(base, 'POST', '/api/v1/users', {
        token: adminToken,
        body: { email: known, password: 'a long enough password' },
      });
      const unknown = `unknown-${Date.now()}@example.test`;
      // The lockout's remaining seconds may tick between the two calls; everything else must match.
      const strip = (r: { status: number; body: Record<string, unknown> }) => ({
        status: r.status,
        body: { ...r.body, requestId: undefined, detail: String(r.body.detail).replace(/\d+ s\b/, 'N s') },
      });
      for (let i = 0; i < 6; i++) {
        const [a, b] = [await attempt(known, 'wrong password'), await attempt(unknown, 'wrong password')];
        expect(strip(a)).toEqual(strip(b));
        expect(a.status).toBe(i < 5 ? 401 : 429);
      }
    });

    it('does not let a disabled user log in, and ends its sessions', async () => {
      const email = `disabled-${Date.now()}@example.test`;
      const created = await call(base, 'POST', '/api/v1/users', {
        token: adminToken,
        body: { email, password: 'a long enough password', role: 'viewer' },
      });
      const token = await login(base, email, 'a long enough password');
      expect(
        (await call(base, 'POST', `/api/v1/users/${created.body.id}/disable`, { token: adminToken })).status,
      ).toBe(201);
      expect((await call(base, 'GET', '/api/v1/users', { token })).status).toBe(401);
      expect((await attempt(email, 'a long enough password')).status).toBe(401);
    });
  });

  describe('API tokens', () => {
    it('authenticates with a token until it is revoked', async () => {
      const created = await call(base, 'POST', '/api/v1/tokens', {
        token: adminToken,
        body: { name: 'ci', permissions: ['users:read'], expiresInDays: 1 },
      });
      expect(created.status).toBe(201);
      const token = created.body.token as string;
      expect(token).toMatch(/^mvt_/);
      expect((await call(base, 'GET', '/api/v1/users', { token })).status).toBe(200);
      // The token only carries users:read: anything else is denied even though its owner is admin.
      const denied = await call(base, 'GET', '/api/v1/tokens', { token });
      expect(denied.status).toBe(403);
      expect(denied.body.detail).toBe('token not permitted tokens:manage');
      // Listing never shows the value again.
      const list = await call(base, 'GET', '/api/v1/tokens', { token: adminToken });
      expect(JSON.stringify(list.body)).not.toContain(token);

      expect(
        (await call(base, 'DELETE', `/api/v1/tokens/${created.body.id}`, { token: adminToken })).status,
      ).toBe(204);
      const revoked = await call(base, 'GET', '/api/v1/users', { token });
      expect(revoked.status).toBe(401);
      expect(revoked.body.code).toBe('invalid_token');
    });

    it('cannot mint a token with more rights than its creator', async () => {
      const email = `viewer-${Date.now()}@example.test`;
      await call(base, 'POST', '/api/v1/users', {
        token: adminToken,
        body: { email, password: 'a long enough password', role: 'project-admin' },
      });
      const token = await login(base, email, 'a long enough password');
      const response = await call(base, 'POST', '/api/v1/tokens', {
        token,
        body: { name: 'escalate', permissions: ['users:manage'] },
      });
      expect(response.status).toBe(403);
      expect(response.body.detail).toMatch(/cannot exceed your rights: no binding grants users:manage/);
    });
  });

  describe('boundaries', () => {
    it('refuses a body over the size limit with 413 problem+json', async () => {
      const response = await call(base, 'POST', '/api/v1/auth/login', {
        body: { email: 'a@b.c', password: 'x'.repeat(1024 * 1024 + 10) },
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    });

    it('validates bodies precisely', async () => {
      const response = await call(base, 'POST', '/api/v1/users', {
        token: adminToken,
        body: { email: 'not-an-email', password: 'short', extra: 1 },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        '(body)',
        'email',
        'password',
      ]);
    });

    it('serves OpenAPI for every route', async () => {
      const doc = await call(base, 'GET', '/api/docs/openapi.json');
      expect(doc.status).toBe(200);
      for (const path of [
        '/api/v1/auth/login',
        '/api/v1/users',
        '/api/v1/tokens',
        '/api/v1/tokens/{tokenId}',
        '/api/v1/audit/verify',
        '/api/v1/health',
      ]) {
        expect(Object.keys(doc.body.paths)).toContain(path);
      }
    });
  });
});
