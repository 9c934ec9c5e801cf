import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** `/metrics` of the real Primary after real traffic: request, latency, auth-failure and domain series. */
describe('Primary metrics (real HTTP, real PostgreSQL)', () => {
  let primary: PrimaryTestApp;
  let base: string;

  beforeAll(async () => {
    primary = await startPrimary('metrics');
    base = primary.baseUrl;
  });
  afterAll(() => primary?.close());

  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  const value = (text: string, series: RegExp): number => {
    const line = text.split('\n').find((l) => series.test(l));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  it('counts requests by route template and status, with a latency histogram, never by raw path', async () => {
    const token = await login(base, primary.admin.email, primary.admin.password);
    await call(base, 'POST', '/api/v1/projects', { token, body: { slug: 'payments', name: 'Payments' } });
    await call(base, 'PUT', '/api/v1/projects/payments/environments/prod/secrets/team/db-password', {
      token,
      body: { value: 'x' },
    });
    await call(base, 'GET', '/api/v1/projects/payments/environments/prod/secrets/team/db-password', {
      token,
    });
    await call(base, 'GET', '/api/v1/projects/payments/environments/prod/secrets/team/missing', { token });
    await call(base, 'GET', '/api/v1/no-such-route');
    const text = await scrape();
    expect(
      value(
        text,
        /^mazevault_http_requests_total\{method="GET",route="\/api\/v1\/projects\/:projectId\/environments\/:environmentId\/secrets\/\*",status="200"/,
      ),
    ).toBe(1);
    expect(
      value(
        text,
        /^mazevault_http_requests_total\{method="GET",route="\/api\/v1\/projects\/:projectId\/environments\/:environmentId\/secrets\/\*",status="404"/,
      ),
    ).toBe(1);
    expect(
      value(text, /^mazevault_http_requests_total\{method="GET",route="\(unmatched\)",status="404"/),
    ).toBe(1);
    expect(text).toMatch(
      /^mazevault_http_request_duration_seconds_bucket\{le="0\.005",service="api-primary",method="PUT",route="\/api\/v1\/projects\/:projectId/m,
    );
    expect(text).not.toContain('db-password');
    expect(value(text, /^mazevault_secret_writes_total\{outcome="success"/)).toBe(1);
    expect(value(text, /^mazevault_secret_reads_total\{outcome="success"/)).toBe(1);
    expect(value(text, /^mazevault_secret_reads_total\{outcome="failure"/)).toBe(1);
  });

  it('counts authentication failures by reason', async () => {
    await call(base, 'POST', '/api/v1/auth/login', {
      body: { email: primary.admin.email, password: 'wrong password' },
    });
    await call(base, 'GET', '/api/v1/users', { headers: { authorization: 'Bearer not-a-token' } });
    const text = await scrape();
    expect(
      value(text, /^mazevault_auth_failures_total\{reason="invalid_credentials"/),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^mazevault_auth_failures_total\{reason="(unauthenticated|invalid_token)"/m);
  });
});
