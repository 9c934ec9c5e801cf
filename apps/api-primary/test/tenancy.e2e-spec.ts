import { AuditEventEntity } from '@mazevault/persistence';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Tenancy: the platform admin (made by bootstrap-admin) administers organizations; an organization's
 * admin sees and manages its own organization only; scoped users reach what they are bound to.
 */
describe('tenancy (real PostgreSQL and Redis)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let platformToken: string;
  let orgA: string;
  const password = 'a long enough password';
  const unique = (name: string) =>
    `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const as = (token: string) => ({
    get: (path: string) => call(base, 'GET', `/api/v1${path}`, { token }),
    post: (path: string, body: unknown = {}) => call(base, 'POST', `/api/v1${path}`, { token, body }),
    delete: (path: string) => call(base, 'DELETE', `/api/v1${path}`, { token }),
  });

  beforeAll(async () => {
    primary = await startPrimary('tenancy');
    base = primary.baseUrl;
    platformToken = await login(base, primary.admin.email, primary.admin.password);
    orgA = (await as(platformToken).get('/organizations')).body[0].id;
  });
  afterAll(() => primary.close());

  /** A new organization with its first admin, created by the platform admin as the issue asks. */
  async function organizationWithAdmin(slug: string): Promise<{ id: string; email: string; token: string }> {
    const org = await as(platformToken).post('/organizations', { slug, name: slug });
    expect(org.status).toBe(201);
    const email = unique(`${slug}-admin`);
    const admin = await as(platformToken).post(`/organizations/${org.body.id}/admins`, { email });
    expect(admin.status).toBe(201);
    expect(admin.body).toMatchObject({ organizationId: org.body.id, email });
    expect(admin.body.password).toEqual(expect.any(String));
    return { id: org.body.id, email, token: await login(base, email, admin.body.password) };
  }

  it('keeps an organization admin inside its organization, and lets the platform admin see across', async () => {
    const b = await organizationWithAdmin('org-b');
    const bAdmin = as(b.token);
    const platform = as(platformToken);

    // The new admin can administer its organization at once: its first user, projects.
    const first = await bAdmin.post('/users', { email: unique('b-user'), password, role: 'developer' });
    expect(first.status).toBe(201);
    expect(first.body.organizationId).toBe(b.id);
    expect((await bAdmin.post('/projects', { slug: 'b-app', name: 'B app' })).status).toBe(201);

    // Organizations: its own only; no create, no disable.
    const listed = await bAdmin.get('/organizations');
    expect(listed.status).toBe(200);
    expect(listed.body.map((o: { id: string }) => o.id)).toEqual([b.id]);
    expect((await bAdmin.post('/organizations', { slug: 'org-c', name: 'C' })).body.detail).toBe(
      'platform admin required',
    );
    expect((await bAdmin.post(`/organizations/${orgA}/disable`)).status).toBe(403);
    expect((await bAdmin.post(`/organizations/${b.id}/admins`, { email: unique('b-second') })).status).toBe(
      403,
    );

    // Users: its own only.
    const bUsers = await bAdmin.get('/users');
    expect(bUsers.body.map((u: { organizationId: string }) => u.organizationId)).toEqual([b.id, b.id]);
    expect((await bAdmin.get(`/users?organizationId=${orgA}`)).status).toBe(403);
    expect(
      (await bAdmin.post('/users', { email: unique('sneak'), password, organizationId: orgA })).status,
    ).toBe(403);

    // Audit: its own events; the platform-wide chain and other organizations' events are not its own.
    expect((await bAdmin.get('/audit/verify')).status).toBe(403);
    expect((await bAdmin.get(`/audit/events?organizationId=${orgA}`)).status).toBe(403);
    const bEvents = await bAdmin.get('/audit/events');
    expect(bEvents.status).toBe(200);
    expect(new Set(bEvents.body.events.map((e: { organizationId: string }) => e.organizationId))).toEqual(
      new Set([b.id]),
    );

    // The platform admin sees across organizations, acts inside them, and verifies the whole chain.
    expect((await platform.get('/organizations')).body.map((o: { id: string }) => o.id)).toEqual(
      expect.arrayContaining([orgA, b.id]),
    );
    expect((await platform.get(`/users?organizationId=${b.id}`)).body).toHaveLength(2);
    expect(
      (await platform.post('/users', { email: unique('b-by-platform'), password, organizationId: b.id }))
        .status,
    ).toBe(201);
    const verify = await platform.get('/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect((await platform.get(`/audit/events?organizationId=${b.id}`)).body.events.length).toBeGreaterThan(
      0,
    );
    expect((await platform.post(`/organizations/${orgA}/disable`)).body.code).toBe('organization_is_own');

    // The first admin's creation is audited, by the platform admin, and its password is not in it.
    const audited = await primary.dataSource
      .getRepository(AuditEventEntity)
      .findBy({ action: 'organization.admin.create' });
    expect(audited.map((e) => [e.outcome, e.organizationId])).toEqual([
      ['success', orgA],
      ['denied', b.id],
    ]);
    expect(JSON.stringify(audited)).not.toContain('password');

    // A platform admin's API token does not carry platform rights.
    const token = await platform.post('/tokens', {
      name: 'ci',
      permissions: ['organizations:manage'],
      expiresInDays: 1,
    });
    expect(token.status).toBe(201);
    expect((await as(token.body.token).get('/organizations')).body.map((o: { id: string }) => o.id)).toEqual([
      orgA,
    ]);
    expect(
      (await as(token.body.token).post('/organizations', { slug: 'org-by-token', name: 'x' })).status,
    ).toBe(403);

    // Disabling an organization stops its admin at once.
    expect((await platform.post(`/organizations/${b.id}/disable`)).status).toBe(201);
    expect((await bAdmin.get('/users')).status).toBe(401);
  });

  it('never tells an organization admin whether an email exists in another organization; login stays unambiguous', async () => {
    const c = await organizationWithAdmin('org-c');
    const cAdmin = as(c.token);
    // The platform admin's own email, in org A: creating it in C answers exactly as a new email does.
    const taken = await cAdmin.post('/users', {
      email: primary.admin.email,
      password: 'password of the c account',
    });
    const fresh = await cAdmin.post('/users', { email: unique('c-fresh'), password });
    expect(taken.status).toBe(201);
    expect(fresh.status).toBe(201);
    expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
    // A duplicate inside its own organization (which it can list anyway) is the only conflict.
    const duplicate = await cAdmin.post('/users', { email: primary.admin.email, password });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('user_exists');

    // Each password opens its own account; the organization may be named, and must match.
    // The session's organization claim says which account answered.
    const who = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).org as string;
    expect(who(await login(base, primary.admin.email, primary.admin.password))).toBe(orgA);
    expect(who(await login(base, primary.admin.email, 'password of the c account'))).toBe(c.id);
    const named = await call(base, 'POST', '/api/v1/auth/login', {
      body: { email: primary.admin.email, password: 'password of the c account', organization: 'org-c' },
    });
    expect(who(named.body.token)).toBe(c.id);
    const wrongOrg = await call(base, 'POST', '/api/v1/auth/login', {
      body: { email: primary.admin.email, password: 'password of the c account', organization: 'default' },
    });
    expect(wrongOrg.status).toBe(401);
    expect(wrongOrg.body.code).toBe('invalid_credentials');
  });

  it('lets a project admin manage its project tokens, and scoped users list the projects they are bound to', async () => {
    const platform = as(platformToken);
    const p1 = (await platform.post('/projects', { slug: 'tok-one', name: 'one' })).body;
    const p2 = (await platform.post('/projects', { slug: 'tok-two', name: 'two' })).body;
    const prod1 = p1.environments.find((e: { slug: string }) => e.slug === 'prod').id;
    const userWith = async (role: string, scope: { projectId: string; environmentId?: string }) => {
      const email = unique(role);
      const user = await platform.post('/users', { email, password });
      expect((await platform.post('/role-bindings', { userId: user.body.id, role, ...scope })).status).toBe(
        201,
      );
      return as(await login(base, email, password));
    };
    const projectAdmin = await userWith('project-admin', { projectId: p1.id });

    const mine = await projectAdmin.post('/tokens', {
      name: 'deploy',
      permissions: ['secrets:read'],
      projectId: p1.id,
      environmentId: prod1,
      expiresInDays: 1,
    });
    expect(mine.status).toBe(201);
    expect(mine.body.environmentId).toBe(prod1);
    expect(
      (
        await projectAdmin.post('/tokens', {
          name: 'p1',
          permissions: ['secrets:read'],
          projectId: p1.id,
          expiresInDays: 1,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await projectAdmin.post('/tokens', {
          name: 'p2',
          permissions: ['secrets:read'],
          projectId: p2.id,
          expiresInDays: 1,
        })
      ).status,
    ).toBe(403);
    expect(
      (await projectAdmin.post('/tokens', { name: 'org', permissions: ['secrets:read'], expiresInDays: 1 }))
        .status,
    ).toBe(403);
    expect(
      (
        await projectAdmin.post('/tokens', {
          name: 'ghost',
          permissions: ['secrets:read'],
          projectId: '00000000-0000-4000-8000-000000000000',
          expiresInDays: 1,
        })
      ).status,
    ).toBe(403);

    const theirs = await platform.post('/tokens', {
      name: 'p2-ci',
      permissions: ['secrets:read'],
      projectId: p2.id,
      expiresInDays: 1,
    });
    const orgWide = await platform.post('/tokens', {
      name: 'org-ci',
      permissions: ['secrets:read'],
      expiresInDays: 1,
    });
    const listed = await projectAdmin.get('/tokens');
    expect(listed.status).toBe(200);
    expect(listed.body.map((t: { name: string }) => t.name).sort()).toEqual(['deploy', 'p1']);
    expect((await platform.get('/tokens')).body.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['deploy', 'p1', 'p2-ci', 'org-ci']),
    );
    expect((await projectAdmin.delete(`/tokens/${theirs.body.id}`)).status).toBe(403);
    expect((await projectAdmin.delete(`/tokens/${orgWide.body.id}`)).status).toBe(403);
    expect((await projectAdmin.delete(`/tokens/${mine.body.id}`)).status).toBe(204);
    expect(
      (
        await platform.post('/tokens', {
          name: 'ghost',
          permissions: ['secrets:read'],
          projectId: '00000000-0000-4000-8000-000000000000',
          expiresInDays: 1,
        })
      ).body.code,
    ).toBe('scope_not_found');

    // A developer bound to one environment lists that project with that environment only.
    const developer = await userWith('developer', { projectId: p1.id, environmentId: prod1 });
    const projects = await developer.get('/projects');
    expect(projects.status).toBe(200);
    expect(
      projects.body.map((p: { slug: string; environments: { slug: string }[] }) => [
        p.slug,
        p.environments.map((e) => e.slug),
      ]),
    ).toEqual([['tok-one', ['prod']]]);
    expect(
      (await projectAdmin.get('/projects')).body.map((p: { slug: string; environments: unknown[] }) => [
        p.slug,
        p.environments.length,
      ]),
    ).toEqual([['tok-one', 3]]);
    expect((await developer.get('/tokens')).status).toBe(403);
  });

  it("lets a developer bound to one environment issue from its project's profile for that environment only", async () => {
    const platform = as(platformToken);
    const root = await platform.post('/pki/cas/root', {
      name: 'tenancy-root',
      subject: { commonName: 'Tenancy Root' },
      ttlSeconds: 3650 * 86400,
      pathLength: 1,
    });
    const issuing = await platform.post('/pki/cas/intermediate', {
      name: 'tenancy-issuing',
      parentId: root.body.id,
      subject: { commonName: 'Tenancy Issuing' },
      ttlSeconds: 365 * 86400,
    });
    expect(issuing.status).toBe(201);
    const project = (await platform.post('/projects', { slug: 'pki-env', name: 'pki-env' })).body;
    const other = (await platform.post('/projects', { slug: 'pki-env-other', name: 'other' })).body;
    const definition = { allowedDomains: ['env.test'], allowSubdomains: true, maxTtlSeconds: 7 * 86400 };
    expect(
      (
        await platform.post('/pki/profiles', {
          name: 'env-team',
          caId: issuing.body.id,
          projectId: project.id,
          definition,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await platform.post('/pki/profiles', {
          name: 'env-other',
          caId: issuing.body.id,
          projectId: other.id,
          definition,
        })
      ).status,
    ).toBe(201);
    expect(
      (await platform.post('/pki/profiles', { name: 'env-org', caId: issuing.body.id, definition })).status,
    ).toBe(201);

    const email = unique('env-dev');
    const user = await platform.post('/users', { email, password });
    const prod = project.environments.find((e: { slug: string }) => e.slug === 'prod').id;
    expect(
      (
        await platform.post('/role-bindings', {
          userId: user.body.id,
          role: 'developer',
          projectId: project.id,
          environmentId: prod,
        })
      ).status,
    ).toBe(201);
    const developer = as(await login(base, email, password));

    const issued = await developer.post('/pki/issue', {
      profile: 'env-team',
      environment: 'prod',
      commonName: 'svc.env.test',
    });
    expect(issued.status).toBe(201);
    expect(
      (
        await developer.post('/pki/issue', {
          profile: 'env-team',
          environment: prod,
          commonName: 'svc2.env.test',
        })
      ).status,
    ).toBe(201);
    // Nowhere else: not for the project as a whole, another environment, another project, the organization.
    expect(
      (await developer.post('/pki/issue', { profile: 'env-team', commonName: 'svc.env.test' })).status,
    ).toBe(403);
    expect(
      (
        await developer.post('/pki/issue', {
          profile: 'env-team',
          environment: 'dev',
          commonName: 'svc.env.test',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await developer.post('/pki/issue', {
          profile: 'env-other',
          environment: 'prod',
          commonName: 'svc.env.test',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await developer.post('/pki/issue', {
          profile: 'env-org',
          environment: 'prod',
          commonName: 'svc.env.test',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await developer.post('/pki/issue', {
          profile: 'env-team',
          environment: 'nowhere',
          commonName: 'svc.env.test',
        })
      ).body.code,
    ).toBe('environment_not_found');
    // A project-level binding still covers every environment of the project.
    expect(
      (
        await platform.post('/pki/issue', {
          profile: 'env-team',
          environment: 'dev',
          commonName: 'ops.env.test',
        })
      ).status,
    ).toBe(201);
  });
});
