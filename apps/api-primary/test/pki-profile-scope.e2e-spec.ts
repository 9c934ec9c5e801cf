import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** A profile's project may be named by slug, as in URL paths; unknown ones are a 404. */
describe('PKI profile scope by id or slug (real PostgreSQL, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;
  let caId: string;
  let projectId: string;

  beforeAll(async () => {
    primary = await startPrimary('pki-profile-scope');
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
    projectId = (
      await call(base, 'POST', '/api/v1/projects', { token, body: { slug: 'payments', name: 'Payments' } })
    ).body.id;
    const root = await call(base, 'POST', '/api/v1/pki/cas/root', {
      token,
      body: { name: 'root', subject: { commonName: 'Scope Root' } },
    });
    expect(root.status).toBe(201);
    caId = root.body.id;
  });
  afterAll(() => primary?.close());

  const create = (name: string, project: string) =>
    call(base, 'POST', '/api/v1/pki/profiles', {
      token,
      body: {
        name,
        caId,
        projectId: project,
        definition: { allowedDomains: ['example.test'], maxTtlSeconds: 86400 },
      },
    });

  it('accepts the project by slug or id and stores its id', async () => {
    expect((await create('by-slug', 'payments')).body).toMatchObject({ projectId });
    expect((await create('by-id', projectId)).body).toMatchObject({ projectId });
  });

  it('answers 404 project_not_found for a project not in the organization', async () => {
    const missing = await create('nowhere', 'no-such-project');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('project_not_found');
  });
});
