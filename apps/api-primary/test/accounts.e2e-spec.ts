import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** Account basics on the real Primary: whoami, logout, own password, admin reset, enable, unlock. */
describe('Accounts (real PostgreSQL, Redis, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let adminToken: string;
  const password = 'a long enough password';

  const createUser = async (email: string, role?: string) => {
    const created = await call(base, 'POST', '/api/v1/users', {
      token: adminToken,
      body: { email, password, ...(role ? { role } : {}) },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };

  beforeAll(async () => {
    primary = await startPrimary('accounts', { LOGIN_MAX_FAILURES: '3' });
    base = primary.baseUrl;
    adminToken = await login(base, primary.admin.email, primary.admin.password);
  });
  afterAll(() => primary?.close());

  it('whoami names the caller, its organization and bindings, for a session and for an API token', async () => {
    const me = await call(base, 'GET', '/api/v1/auth/whoami', { token: adminToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      type: 'user',
      email: primary.admin.email,
      platformAdmin: true,
      bindings: [{ role: 'admin' }],
    });
    const minted = await call(base, 'POST', '/api/v1/tokens', {
      token: adminToken,
      body: { name: 'ci', permissions: ['secrets:read'] },
    });
    const asToken = await call(base, 'GET', '/api/v1/auth/whoami', { token: minted.body.token });
    expect(asToken.body).toMatchObject({
      type: 'api_token',
      tokenPermissions: ['secrets:read'],
      platformAdmin: false,
    });
    expect((await call(base, 'GET', '/api/v1/auth/whoami')).status).toBe(401);
  });

  it('logout ends the sessions issued before it; a new login works at once', async () => {
    await createUser('leaver@example.test', 'viewer');
    const first = await login(base, 'leaver@example.test', password);
    const second = await login(base, 'leaver@example.test', password);
    expect((await call(base, 'GET', '/api/v1/auth/whoami', { token: first })).status).toBe(200);
    expect((await call(base, 'POST', '/api/v1/auth/logout', { token: first })).status).toBe(204);
    for (const token of [first, second]) {
      const after = await call(base, 'GET', '/api/v1/auth/whoami', { token });
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('invalid_token');
    }
    const fresh = await login(base, 'leaver@example.test', password);
    expect((await call(base, 'GET', '/api/v1/auth/whoami', { token: fresh })).status).toBe(200);
  });

  it('a user changes its own password with the current one; other sessions end', async () => {
    await createUser('changer@example.test', 'viewer');
    const token = await login(base, 'changer@example.test', password);
    const wrong = await call(base, 'POST', '/api/v1/auth/password', {
      token,
      body: { currentPassword: 'not it', newPassword: 'another long password' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('invalid_current_password');
    expect(
      (
        await call(base, 'POST', '/api/v1/auth/password', {
          token,
          body: { currentPassword: password, newPassword: 'another long password' },
        })
      ).status,
    ).toBe(204);
    expect((await call(base, 'GET', '/api/v1/auth/whoami', { token })).status).toBe(401);
    expect(
      (await call(base, 'POST', '/api/v1/auth/login', { body: { email: 'changer@example.test', password } }))
        .status,
    ).toBe(401);
    await login(base, 'changer@example.test', 'another long password');
  });

  it('an admin resets a password (shown once), re-enables a user and lifts a lockout', async () => {
    const user = await createUser('locked@example.test', 'viewer');
    const session = await login(base, 'locked@example.test', password);
    for (let i = 0; i < 3; i++)
      await call(base, 'POST', '/api/v1/auth/login', {
        body: { email: 'locked@example.test', password: 'wrong password' },
      });
    expect(
      (await call(base, 'POST', '/api/v1/auth/login', { body: { email: 'locked@example.test', password } }))
        .status,
    ).toBe(429);
    expect((await call(base, 'POST', `/api/v1/users/${user.id}/unlock`, { token: adminToken })).status).toBe(
      204,
    );
    await login(base, 'locked@example.test', password);

    const reset = await call(base, 'POST', `/api/v1/users/${user.id}/reset-password`, { token: adminToken });
    expect(reset.status).toBe(200);
    expect(reset.body.password).toEqual(expect.any(String));
    expect((await call(base, 'GET', '/api/v1/auth/whoami', { token: session })).status).toBe(401);
    await login(base, 'locked@example.test', reset.body.password);
    const [event] = await primary.dataSource.query(
      `SELECT details::text AS details FROM audit_events WHERE action = 'user.password.reset' ORDER BY id DESC LIMIT 1`,
    );
    expect(event.details).not.toContain(reset.body.password);

    expect((await call(base, 'POST', `/api/v1/users/${user.id}/disable`, { token: adminToken })).status).toBe(
      201,
    );
    expect(
      (
        await call(base, 'POST', '/api/v1/auth/login', {
          body: { email: 'locked@example.test', password: reset.body.password },
        })
      ).status,
    ).toBe(401);
    const enabled = await call(base, 'POST', `/api/v1/users/${user.id}/enable`, { token: adminToken });
    expect(enabled.body).toMatchObject({ disabled: false });
    await login(base, 'locked@example.test', reset.body.password);
  });

  it('a viewer cannot reset, enable or unlock others', async () => {
    const victim = await createUser('victim@example.test');
    await createUser('nosy@example.test', 'viewer');
    const nosy = await login(base, 'nosy@example.test', password);
    for (const action of ['reset-password', 'enable', 'unlock']) {
      expect((await call(base, 'POST', `/api/v1/users/${victim.id}/${action}`, { token: nosy })).status).toBe(
        403,
      );
    }
  });
});
