import { connect } from 'node:net';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** Requests an attacker sends to break the Primary: each is refused with a precise problem+json, and nothing breaks. */
describe('Request boundary (real Primary, real PostgreSQL)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;

  beforeAll(async () => {
    primary = await startPrimary('boundary');
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
    expect(
      (await call(base, 'POST', '/api/v1/projects', { token, body: { slug: 'payments', name: 'Payments' } }))
        .status,
    ).toBe(201);
  });
  afterAll(() => primary?.close());

  const expectProblem = (
    response: { status: number; body: { code?: string }; headers: Headers },
    status: number,
    code: string,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe(code);
  };

  it('a NUL in a path segment is a 400, and every audited call keeps working afterwards', async () => {
    expectProblem(
      await call(base, 'GET', '/api/v1/projects/x/environments/y/secrets/a%00'),
      400,
      'invalid_url',
    );
    expectProblem(
      await call(base, 'GET', '/api/v1/projects/payments/environments/prod/secrets/a%00', { token }),
      400,
      'invalid_url',
    );
    expectProblem(
      await call(base, 'GET', '/api/v1/projects/payments/environments/prod/secrets?prefix=%1b', { token }),
      400,
      'invalid_url',
    );
    // The audited paths still answer (the probe saw every one of them answer 500 until a restart).
    const fresh = await login(base, primary.admin.email, primary.admin.password);
    expect((await call(base, 'GET', '/api/v1/users', { token: fresh })).status).toBe(200);
    expect(
      (
        await call(base, 'PUT', '/api/v1/projects/payments/environments/prod/secrets/app/db', {
          token: fresh,
          body: { value: 'v' },
        })
      ).status,
    ).toBe(200);
    expect((await call(base, 'GET', '/api/v1/audit/verify', { token: fresh })).body).toMatchObject({
      ok: true,
    });
  });

  it('a NUL in the login email is a 400 naming the field, and the attempt is audited', async () => {
    const loginNul = await call(base, 'POST', '/api/v1/auth/login', {
      body: { email: 'admin\u0000@example.test', password: 'x' },
    });
    expectProblem(loginNul, 400, 'validation_failed');
    expect(JSON.stringify(loginNul.body.errors)).toContain('email');
    const [event] = await primary.dataSource.query(
      `SELECT outcome, resource_ref FROM audit_events WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`,
    );
    expect(event.outcome).toBe('failure');
    expect(event.resource_ref).toContain('\\u0000');
  });

  it('control characters in a name or a metadata value are a 400 naming the field', async () => {
    const project = await call(base, 'POST', '/api/v1/projects', {
      token,
      body: { slug: 'bell', name: 'Bell\u0007' },
    });
    expectProblem(project, 400, 'validation_failed');
    expect(JSON.stringify(project.body.errors)).toContain('control characters');
    const metadata = await call(base, 'PUT', '/api/v1/projects/payments/environments/prod/secrets/app/meta', {
      token,
      body: { value: 'v', customMetadata: { owner: 'a\u0000b' } },
    });
    expectProblem(metadata, 400, 'validation_failed');
  });

  it('JSON nested deeper than 64 levels is a 400 at parsing; 60 levels are stored', async () => {
    const nested = (depth: number) => '{"value":' + '['.repeat(depth) + '1' + ']'.repeat(depth) + '}';
    expectProblem(
      await call(base, 'PUT', '/api/v1/projects/payments/environments/prod/secrets/app/deep', {
        token,
        body: nested(3000),
      }),
      400,
      'json_too_deep',
    );
    expect(
      (
        await call(base, 'PUT', '/api/v1/projects/payments/environments/prod/secrets/app/deep', {
          token,
          body: nested(60),
        })
      ).status,
    ).toBe(200);
  });

  it("Fastify's malformed-URL error is problem+json", async () => {
    expectProblem(await call(base, 'GET', '/api/v1/projects/%E0%A4%A'), 400, 'invalid_url');
  });

  it("Fastify's own errors are problem+json with stable codes: parameter too long, media type, body size, bad JSON", async () => {
    expectProblem(
      await call(base, 'GET', `/api/v1/projects/${'a'.repeat(200)}`, { token }),
      414,
      'uri_too_long',
    );
    expectProblem(
      await call(base, 'POST', '/api/v1/auth/login', {
        body: '<login/>',
        headers: { 'content-type': 'application/xml' },
      }),
      415,
      'unsupported_media_type',
    );
    expectProblem(
      await call(base, 'POST', '/api/v1/auth/login', {
        body: JSON.stringify({ email: 'a'.repeat(2 * 1024 * 1024) }),
      }),
      413,
      'payload_too_large',
    );
    expectProblem(await call(base, 'POST', '/api/v1/auth/login', { body: '{"email":' }), 400, 'invalid_json');
    expectProblem(
      await call(base, 'POST', '/api/v1/auth/login', {
        body: '',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'invalid_json',
    );
  });

  it('headers too large are a 431 problem+json', async () => {
    const { port } = new URL(base);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /api/v1/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toContain('application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 431,
      code: 'headers_too_large',
    });
  });
});
