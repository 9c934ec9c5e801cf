import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** `GET /api/v1/audit/events`: attribution, filters, cursor pagination, outcomes that match the answer. */
describe('Audit events API (real PostgreSQL, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;
  const env = '/api/v1/projects/payments/environments/prod';
  const events = async (query: string) => {
    const response = await call(base, 'GET', `/api/v1/audit/events?${query}`, { token });
    expect(response.status).toBe(200);
    return response.body as {
      events: {
        id: string;
        action: string;
        outcome: string;
        actorId: string | null;
        organizationId: string | null;
      }[];
      nextCursor?: string;
    };
  };

  beforeAll(async () => {
    primary = await startPrimary('audit-events');
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
    await call(base, 'POST', '/api/v1/projects', { token, body: { slug: 'payments', name: 'Payments' } });
    await call(base, 'PUT', `${env}/secrets/app/db`, { token, body: { value: 'v' } });
  });
  afterAll(() => primary?.close());

  it("files logins and unwraps under the user's organization, so its admins see them", async () => {
    await call(base, 'POST', '/api/v1/auth/login', {
      body: { email: primary.admin.email, password: 'wrong password' },
    });
    const wrapped = await call(base, 'GET', `${env}/secrets/app/db?wrap_ttl=60`, { token });
    expect(
      (await call(base, 'POST', '/api/v1/wrapping/unwrap', { body: { token: wrapped.body.wrap.token } }))
        .status,
    ).toBe(200);
    const logins = await events('action=auth.login');
    expect(logins.events.map((e) => e.outcome)).toEqual(expect.arrayContaining(['success', 'denied']));
    expect((await events('action=secret.unwrap')).events).toHaveLength(1);
  });

  it('a read that answers 404 is recorded as a failure, not a success', async () => {
    expect((await call(base, 'GET', `${env}/secrets/app/none`, { token })).status).toBe(404);
    const reads = await events('action=secret.read&outcome=failure');
    expect(reads.events.length).toBeGreaterThanOrEqual(1);
  });

  it('filters by action, actor, resource, outcome and time range', async () => {
    const me = (await call(base, 'GET', '/api/v1/auth/whoami', { token })).body;
    const writes = await events(
      `action=secret.write&actorId=${me.id}&outcome=success&resourceType=secret&resourceRef=app/db`,
    );
    expect(writes.events).toHaveLength(1);
    expect(writes.events[0]).toMatchObject({ action: 'secret.write', actorId: me.id });
    expect((await events('action=secret.write&resourceRef=app/other')).events).toHaveLength(0);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await events(`from=${encodeURIComponent(future)}`)).events).toHaveLength(0);
    expect((await events(`to=${encodeURIComponent(future)}&action=secret.write`)).events).toHaveLength(1);
    const bad = await call(base, 'GET', '/api/v1/audit/events?outcome=maybe&colour=red', { token });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toMatch(/outcome/);
  });

  it('pages by cursor: every event once, newest first, then no cursor', async () => {
    for (let i = 0; i < 5; i++)
      await call(base, 'PUT', `${env}/secrets/page/s${i}`, { token, body: { value: i } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await events(`action=secret.write&limit=2${cursor ? `&before=${cursor}` : ''}`);
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
  });

  it('anonymous calls (no organization) are visible to a platform admin with unscoped=true', async () => {
    await call(base, 'GET', '/api/v1/users');
    const unscoped = await events('unscoped=true&outcome=denied');
    expect(unscoped.events.length).toBeGreaterThanOrEqual(1);
    expect(unscoped.events.every((e) => e.organizationId === null)).toBe(true);
  });
});
