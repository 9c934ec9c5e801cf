import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * The granting rule on the real Primary: nobody confers rights they do not hold on that scope,
 * nobody changes their own bindings, only an admin grants admin.
 */
describe('Role bindings: no self-escalation (real PostgreSQL, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let adminToken: string;
  let officer: { id: string; token: string };
  let colleague: { id: string };
  let project: { id: string; environments: { id: string; slug: string }[] };
  const password = 'a long enough password';

  const createUser = async (email: string, role?: string) => {
    const created = await call(base, 'POST', '/api/v1/users', {
      token: adminToken,
      body: { email, password, ...(role ? { role } : {}) },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };
  const bind = (token: string, body: Record<string, unknown>) =>
    call(base, 'POST', '/api/v1/role-bindings', { token, body });

  beforeAll(async () => {
    primary = await startPrimary('role-grants');
    base = primary.baseUrl;
    adminToken = await login(base, primary.admin.email, primary.admin.password);
    const created = await call(base, 'POST', '/api/v1/projects', {
      token: adminToken,
      body: { slug: 'payments', name: 'Payments' },
    });
    project = created.body;
    await call(base, 'PUT', '/api/v1/projects/payments/environments/prod/secrets/app/db', {
      token: adminToken,
      body: { value: { password: 'prod-secret' } },
    });
    const officerUser = await createUser('officer@example.test', 'security-officer');
    officer = { id: officerUser.id, token: await login(base, 'officer@example.test', password) };
    colleague = await createUser('colleague@example.test');
  });
  afterAll(() => primary?.close());

  it('a security-officer cannot make itself admin, and still cannot read secrets afterwards', async () => {
    const selfAdmin = await bind(officer.token, { userId: officer.id, role: 'admin' });
    expect(selfAdmin.status).toBe(403);
    expect(selfAdmin.headers.get('content-type')).toContain('application/problem+json');
    expect(selfAdmin.body).toMatchObject({ code: 'grant_forbidden' });
    expect(selfAdmin.body.detail).toContain('own role bindings');
    // A fresh login (no cached principal) still has no secret rights.
    const again = await login(base, 'officer@example.test', password);
    expect(
      (
        await call(base, 'GET', '/api/v1/projects/payments/environments/prod/secrets/app/db', {
          token: again,
        })
      ).status,
    ).toBe(403);
  });

  it('a security-officer cannot grant admin or a role with secret rights to someone else', async () => {
    expect((await bind(officer.token, { userId: colleague.id, role: 'admin' })).body.detail).toContain(
      'only an admin',
    );
    const developer = await bind(officer.token, {
      userId: colleague.id,
      role: 'developer',
      projectId: project.id,
    });
    expect(developer.status).toBe(403);
    expect(developer.body.detail).toContain('secrets:read');
  });

  it('a security-officer (gateways:manage) cannot create a gateway bootstrap token: that is an admin act', async () => {
    const refused = await call(base, 'POST', '/api/v1/gateways/bootstrap', {
      token: officer.token,
      body: { name: 'gw-officer' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('admin_required');
    expect((await call(base, 'GET', '/api/v1/gateways', { token: officer.token })).status).toBe(200);
  });

  it('a security-officer grants what it holds (viewer, auditor)', async () => {
    expect(
      (await bind(officer.token, { userId: colleague.id, role: 'viewer', projectId: project.id })).status,
    ).toBe(201);
    expect((await bind(officer.token, { userId: colleague.id, role: 'auditor' })).status).toBe(201);
  });

  it('nobody removes their own bindings, not even an admin', async () => {
    const own = await call(base, 'GET', `/api/v1/role-bindings?userId=${officer.id}`, { token: adminToken });
    const officerBinding = own.body[0].id as string;
    expect(
      (await call(base, 'DELETE', `/api/v1/role-bindings/${officerBinding}`, { token: officer.token }))
        .status,
    ).toBe(403);
    const adminUser = (await call(base, 'GET', '/api/v1/users', { token: adminToken })).body.find(
      (u: { email: string }) => u.email === primary.admin.email,
    );
    const adminBindings = await call(base, 'GET', `/api/v1/role-bindings?userId=${adminUser.id}`, {
      token: adminToken,
    });
    const removal = await call(base, 'DELETE', `/api/v1/role-bindings/${adminBindings.body[0].id}`, {
      token: adminToken,
    });
    expect(removal.status).toBe(403);
  });

  it('only an admin removes an admin binding; an admin can', async () => {
    const second = await createUser('second-admin@example.test');
    const granted = await bind(adminToken, { userId: second.id, role: 'admin' });
    expect(granted.status).toBe(201);
    expect(
      (await call(base, 'DELETE', `/api/v1/role-bindings/${granted.body.id}`, { token: officer.token }))
        .status,
    ).toBe(403);
    expect(
      (await call(base, 'DELETE', `/api/v1/role-bindings/${granted.body.id}`, { token: adminToken })).status,
    ).toBe(204);
  });

  it("nobody disables themselves, and the organization's last admin stays enabled", async () => {
    const adminUser = (await call(base, 'GET', '/api/v1/users', { token: adminToken })).body.find(
      (u: { email: string }) => u.email === primary.admin.email,
    );
    const self = await call(base, 'POST', `/api/v1/users/${adminUser.id}/disable`, { token: adminToken });
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('cannot_disable_self');
    // An API token acts for its owner under another id: the last-admin rule still holds.
    const minted = await call(base, 'POST', '/api/v1/tokens', {
      token: adminToken,
      body: { name: 'ops', permissions: ['users:manage'] },
    });
    expect(minted.status).toBe(201);
    const viaToken = await call(base, 'POST', `/api/v1/users/${adminUser.id}/disable`, {
      token: minted.body.token,
    });
    expect(viaToken.status).toBe(409);
    expect(viaToken.body.code).toBe('last_admin');
    expect((await call(base, 'GET', '/api/v1/users', { token: adminToken })).status).toBe(200);
  });

  it('a binding names a project and environment of this organization', async () => {
    const prod = project.environments.find((e) => e.slug === 'prod')!;
    const missing = await bind(adminToken, {
      userId: colleague.id,
      role: 'viewer',
      projectId: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.status).toBe(404);
    const wrongEnvironment = await bind(adminToken, {
      userId: colleague.id,
      role: 'viewer',
      projectId: project.id,
      environmentId: officer.id,
    });
    expect(wrongEnvironment.status).toBe(404);
    expect(
      (
        await bind(adminToken, {
          userId: colleague.id,
          role: 'developer',
          projectId: project.id,
          environmentId: prod.id,
        })
      ).status,
    ).toBe(201);
  });

  it('a binding and a token name their project and environment by slug as URL paths do, and an unknown slug is a 404 problem', async () => {
    const prod = project.environments.find((e) => e.slug === 'prod')!;
    const bound = await bind(adminToken, {
      userId: colleague.id,
      role: 'viewer',
      projectId: 'payments',
      environmentId: 'test',
    });
    expect(bound.status).toBe(201);
    expect(bound.body).toMatchObject({
      projectId: project.id,
      environmentId: project.environments.find((e) => e.slug === 'test')!.id,
    });
    const unknown = await bind(adminToken, {
      userId: colleague.id,
      role: 'viewer',
      projectId: 'no-such-project',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.code).toBe('project_not_found');
    expect(
      (
        await bind(adminToken, {
          userId: colleague.id,
          role: 'viewer',
          projectId: 'payments',
          environmentId: 'staging',
        })
      ).body.code,
    ).toBe('environment_not_found');
    expect(
      (await bind(adminToken, { userId: colleague.id, role: 'viewer', projectId: 'Not A Slug' })).status,
    ).toBe(400);

    const token = await call(base, 'POST', '/api/v1/tokens', {
      token: adminToken,
      body: { name: 'deploy', permissions: ['secrets:read'], projectId: 'payments', environmentId: 'prod' },
    });
    expect(token.status).toBe(201);
    expect(token.body).toMatchObject({ projectId: project.id, environmentId: prod.id });
    const read = await call(base, 'GET', '/api/v1/projects/payments/environments/prod/secrets/app/db', {
      token: token.body.token,
    });
    expect(read.status).toBe(200);
    const missing = await call(base, 'POST', '/api/v1/tokens', {
      token: adminToken,
      body: { name: 'x', permissions: ['secrets:read'], projectId: 'payments', environmentId: 'nowhere' },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });
});
