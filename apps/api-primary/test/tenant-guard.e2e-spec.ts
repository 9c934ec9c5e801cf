import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** TENANT_ALLOWED_MOUNTS and TENANT_ID restrict the secrets API beyond what bindings allow. */
describe('secrets tenant guard (real PostgreSQL)', () => {
  let primary: PrimaryTestApp | undefined;
  let pinned: PrimaryTestApp | undefined;
  afterAll(async () => {
    await pinned?.close();
    await primary?.close();
  });

  it('reaches only the allowed mounts, and only for the pinned organization', async () => {
    primary = await startPrimary('tenant', { TENANT_ALLOWED_MOUNTS: 'app, shared/tls' });
    const token = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    await call(primary.baseUrl, 'POST', '/api/v1/projects', { token, body: { slug: 'tp', name: 'tp' } });
    const env = `${primary.baseUrl}/api/v1/projects/tp/environments/prod`;
    const put = (path: string) => call(env, 'PUT', `/secrets/${path}`, { token, body: { value: 'v' } });
    expect((await put('app/db')).status).toBe(200);
    expect((await put('shared/tls/key')).status).toBe(200);
    const outside = await put('shared/other');
    expect(outside.status).toBe(403);
    expect(outside.body.code).toBe('mount_not_allowed');
    expect((await put('application/db')).body.code).toBe('mount_not_allowed');
    expect((await call(env, 'GET', '/secrets/other/x', { token })).body.code).toBe('mount_not_allowed');

    // Same database, but this instance serves another tenant: the admin's organization is refused.
    pinned = await startPrimary('tenant2', {
      TENANT_ID: 'some-other-org',
      DATABASE_URL: primary.config.DATABASE_URL,
      MASTER_KEY: primary.config.MASTER_KEY!,
      ADMIN_EMAIL: primary.admin.email,
    });
    const pinnedToken = await login(pinned.baseUrl, primary.admin.email, primary.admin.password);
    const refused = await call(
      pinned.baseUrl,
      'GET',
      '/api/v1/projects/tp/environments/prod/secrets/app/db',
      { token: pinnedToken },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('tenant_mismatch');
    // Decided with the scope, before any lookup: a project that does not exist answers the same.
    const unknown = await call(pinned.baseUrl, 'GET', '/api/v1/projects/no-such/environments/prod/secrets', {
      token: pinnedToken,
    });
    expect([unknown.status, unknown.body.code]).toEqual([403, 'tenant_mismatch']);

    // ...while pinning it to the admin's own organization (by slug) lets it through.
    await pinned.close();
    pinned = await startPrimary('tenant3', {
      TENANT_ID: 'default',
      DATABASE_URL: primary.config.DATABASE_URL,
      MASTER_KEY: primary.config.MASTER_KEY!,
      ADMIN_EMAIL: primary.admin.email,
    });
    const ok = await call(pinned.baseUrl, 'GET', '/api/v1/projects/tp/environments/prod/secrets/app/db', {
      token: await login(pinned.baseUrl, primary.admin.email, primary.admin.password),
    });
    expect(ok.body.value).toBe('v');
  });
});
