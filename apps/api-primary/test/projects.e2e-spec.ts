import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** Projects and environments: get, rename, delete (refused while secrets exist unless forced), audited, nothing orphaned. */
describe('Projects and environments lifecycle (real PostgreSQL, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;
  const password = 'a long enough password';

  const createUser = async (email: string) => {
    const created = await call(base, 'POST', '/api/v1/users', { token, body: { email, password } });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };
  const createProject = async (slug: string) => {
    const created = await call(base, 'POST', '/api/v1/projects', {
      token,
      body: { slug, name: slug.toUpperCase() },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; environments: { id: string; slug: string }[] };
  };
  const putSecret = (project: string, environment: string, path: string) =>
    call(base, 'PUT', `/api/v1/projects/${project}/environments/${environment}/secrets/${path}`, {
      token,
      body: { value: { password: 'p' } },
    });
  const count = async (sql: string, ...params: unknown[]) =>
    Number(((await primary.dataSource.query(sql, params)) as { n: string }[])[0].n);
  const auditActions = async (action: string) => {
    const page = await call(base, 'GET', `/api/v1/audit/events?action=${action}`, { token });
    expect(page.status).toBe(200);
    return page.body.events as { action: string; outcome: string; resourceRef: string | null }[];
  };

  beforeAll(async () => {
    primary = await startPrimary('projects');
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
  });
  afterAll(() => primary?.close());

  it('gets a project by slug or id, and a caller bound to one environment sees only that one', async () => {
    const project = await createProject('billing');
    const bySlug = await call(base, 'GET', '/api/v1/projects/billing', { token });
    expect(bySlug.status).toBe(200);
    expect(bySlug.body).toMatchObject({ id: project.id, slug: 'billing', name: 'BILLING' });
    expect(bySlug.body.environments.map((e: { slug: string }) => e.slug)).toEqual(['dev', 'prod', 'test']);
    expect((await call(base, 'GET', `/api/v1/projects/${project.id}`, { token })).body.slug).toBe('billing');
    const missing = await call(base, 'GET', '/api/v1/projects/nothing-here', { token });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');

    const viewer = await createUser('env-viewer@example.test');
    expect(
      (
        await call(base, 'POST', '/api/v1/role-bindings', {
          token,
          body: { userId: viewer.id, role: 'viewer', projectId: 'billing', environmentId: 'dev' },
        })
      ).status,
    ).toBe(201);
    const viewerToken = await login(base, 'env-viewer@example.test', password);
    const seen = await call(base, 'GET', '/api/v1/projects/billing', { token: viewerToken });
    expect(seen.status).toBe(200);
    expect(seen.body.environments.map((e: { slug: string }) => e.slug)).toEqual(['dev']);
    expect(
      (await call(base, 'GET', '/api/v1/projects', { token: viewerToken })).body.map(
        (p: { slug: string }) => p.slug,
      ),
    ).toEqual(['billing']);
  });

  it('renames a project and an environment (the slug stays), audited as project.update and environment.update', async () => {
    const renamed = await call(base, 'PATCH', '/api/v1/projects/billing', {
      token,
      body: { name: 'Billing & invoices' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ slug: 'billing', name: 'Billing & invoices' });
    const environment = await call(base, 'PATCH', '/api/v1/projects/billing/environments/prod', {
      token,
      body: { name: 'Production' },
    });
    expect(environment.status).toBe(200);
    expect(environment.body).toMatchObject({ slug: 'prod', name: 'Production' });
    expect(
      (await call(base, 'GET', '/api/v1/projects/billing', { token })).body.environments.find(
        (e: { slug: string }) => e.slug === 'prod',
      ).name,
    ).toBe('Production');
    expect(
      (await call(base, 'PATCH', '/api/v1/projects/billing', { token, body: { name: 'x', slug: 'other' } }))
        .status,
    ).toBe(400);
    expect((await auditActions('project.update')).map((e) => e.outcome).sort()).toEqual([
      'failure',
      'success',
    ]);
    expect((await auditActions('environment.update')).map((e) => e.outcome)).toEqual(['success']);
  });

  it('a developer cannot rename or delete a project, nor an environment', async () => {
    const developer = await createUser('dev@example.test');
    expect(
      (
        await call(base, 'POST', '/api/v1/role-bindings', {
          token,
          body: { userId: developer.id, role: 'developer', projectId: 'billing' },
        })
      ).status,
    ).toBe(201);
    const developerToken = await login(base, 'dev@example.test', password);
    expect((await call(base, 'GET', '/api/v1/projects/billing', { token: developerToken })).status).toBe(200);
    const denied = await call(base, 'DELETE', '/api/v1/projects/billing', { token: developerToken });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect(
      (await call(base, 'DELETE', '/api/v1/projects/billing/environments/dev', { token: developerToken }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(base, 'PATCH', '/api/v1/projects/billing', {
          token: developerToken,
          body: { name: 'mine' },
        })
      ).status,
    ).toBe(403);
    expect((await call(base, 'GET', '/api/v1/projects/billing', { token })).status).toBe(200);
    expect((await auditActions('project.delete')).map((e) => e.outcome)).toEqual(['denied']);
  });

  it('refuses to delete an environment holding secrets (409 naming how many) unless forced; its bindings and tokens go with it', async () => {
    expect((await putSecret('billing', 'test', 'app/db')).status).toBe(200);
    expect((await putSecret('billing', 'test', 'app/api')).status).toBe(200);
    const user = await createUser('tester@example.test');
    expect(
      (
        await call(base, 'POST', '/api/v1/role-bindings', {
          token,
          body: { userId: user.id, role: 'viewer', projectId: 'billing', environmentId: 'test' },
        })
      ).status,
    ).toBe(201);
    const scoped = await call(base, 'POST', '/api/v1/tokens', {
      token,
      body: { name: 'ci-test', permissions: ['secrets:read'], projectId: 'billing', environmentId: 'test' },
    });
    expect(scoped.status).toBe(201);
    expect(
      (
        await call(base, 'GET', '/api/v1/projects/billing/environments/test/secrets/app/db', {
          token: scoped.body.token,
        })
      ).status,
    ).toBe(200);

    const refused = await call(base, 'DELETE', '/api/v1/projects/billing/environments/test', { token });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('environment_not_empty');
    expect(refused.body.detail).toContain('2 secrets');
    expect(
      (await call(base, 'DELETE', '/api/v1/projects/billing/environments/test?force=maybe', { token }))
        .status,
    ).toBe(400);

    expect(
      (await call(base, 'DELETE', '/api/v1/projects/billing/environments/test?force=true', { token })).status,
    ).toBe(204);
    // Gone at once, though its slug was just resolved (and cached) by the reads above.
    expect(
      (await call(base, 'GET', '/api/v1/projects/billing/environments/test/secrets/app/db', { token }))
        .status,
    ).toBe(404);
    const write = await putSecret('billing', 'test', 'app/db');
    expect([write.status, write.body.code]).toEqual([404, 'environment_not_found']);
    expect(
      (
        await call(base, 'GET', '/api/v1/projects/billing/environments/test/secrets/app/db', {
          token: scoped.body.token,
        })
      ).status,
    ).toBe(401);
    const environmentId = (await primary.dataSource.query(
      `SELECT count(*) AS n FROM environments WHERE slug = 'test'`,
    )) as { n: string }[];
    expect(Number(environmentId[0].n)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM role_bindings WHERE user_id = $1`, user.id)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM api_tokens WHERE name = 'ci-test'`)).toBe(0);
    // The developer's denied attempt, the 409, the 400 (force=maybe), then the deletion.
    expect((await auditActions('environment.delete')).map((e) => e.outcome).sort()).toEqual([
      'denied',
      'failure',
      'failure',
      'success',
    ]);
  });

  it('refuses to delete a project holding secrets unless forced, then leaves nothing pointing at it', async () => {
    const project = await createProject('doomed');
    expect((await putSecret('doomed', 'prod', 'app/db')).status).toBe(200);
    expect((await putSecret('doomed', 'prod', 'app/db')).status).toBe(200); // a second version
    const user = await createUser('doomed-admin@example.test');
    expect(
      (
        await call(base, 'POST', '/api/v1/role-bindings', {
          token,
          body: { userId: user.id, role: 'project-admin', projectId: 'doomed' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call(base, 'POST', '/api/v1/tokens', {
          token,
          body: { name: 'doomed-ci', permissions: ['secrets:read'], projectId: 'doomed' },
        })
      ).status,
    ).toBe(201);
    const post = (path: string, body: unknown) => call(base, 'POST', `/api/v1/pki/${path}`, { token, body });
    const root = await post('cas/root', { name: 'root', subject: { commonName: 'Projects Test Root' } });
    expect(root.status).toBe(201);
    const profile = await post('profiles', {
      name: 'doomed-web',
      caId: root.body.id,
      projectId: project.id,
      definition: { allowedDomains: ['example.test'], maxTtlSeconds: 86400 },
    });
    expect(profile.status).toBe(201);

    const refused = await call(base, 'DELETE', '/api/v1/projects/doomed', { token });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('project_not_empty');
    expect(refused.body.detail).toContain('1 secret');
    expect(
      (await call(base, 'GET', '/api/v1/projects/doomed/environments/prod/secrets/app/db', { token })).status,
    ).toBe(200);

    expect((await call(base, 'DELETE', '/api/v1/projects/doomed?force=true', { token })).status).toBe(204);
    expect((await call(base, 'GET', '/api/v1/projects/doomed', { token })).status).toBe(404);
    const write = await putSecret('doomed', 'prod', 'app/db');
    expect([write.status, write.body.code]).toEqual([404, 'project_not_found']);
    expect(
      (await call(base, 'GET', '/api/v1/projects/doomed/environments/prod/secrets/app/db', { token })).status,
    ).toBe(404);
    for (const table of [
      'environments',
      'secrets',
      'project_keys',
      'role_bindings',
      'group_role_mappings',
      'api_tokens',
    ]) {
      expect([
        table,
        await count(`SELECT count(*) AS n FROM ${table} WHERE project_id = $1`, project.id),
      ]).toEqual([table, 0]);
    }
    expect(
      await count(
        `SELECT count(*) AS n FROM secret_versions v WHERE NOT EXISTS (SELECT 1 FROM secrets s WHERE s.id = v.secret_id)`,
      ),
    ).toBe(0);
    // The profile stays, detached to the organization: what it issued stays revocable.
    const kept = await call(base, 'GET', '/api/v1/pki/profiles/doomed-web', { token });
    expect(kept.status).toBe(200);
    expect(kept.body.projectId ?? null).toBeNull();

    const empty = await createProject('empty');
    expect((await call(base, 'DELETE', `/api/v1/projects/${empty.id}`, { token })).status).toBe(204);
    expect((await auditActions('project.delete')).map((e) => e.outcome).sort()).toEqual([
      'denied',
      'failure',
      'success',
      'success',
    ]);
  });
});
