import { AuditEventEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { ProjectsService } from '../src/projects/projects.service';
import { SecretsService } from '../src/secrets/secrets.service';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Tenant isolation, resource family by resource family: organization B's admin (every right in B)
 * aims at organization A's ids and slugs and gets 404 — the answer for a name that does not exist,
 * so nothing about A leaks — or an empty list; inside A, a caller bound to one project does not reach
 * another. Each expectation names the refusal's code, so dropping any one filter (the organization
 * in scope resolution, the project of an environment, the organization in a service query) fails it.
 */
describe('tenant isolation (real PostgreSQL and Redis)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  const password = 'a long enough password';
  const unique = (name: string) =>
    `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  type Response = Awaited<ReturnType<typeof call>>;
  const as = (token: string) => ({
    get: (path: string) => call(base, 'GET', `/api/v1${path}`, { token }),
    post: (path: string, body: unknown = {}) => call(base, 'POST', `/api/v1${path}`, { token, body }),
    put: (path: string, body: unknown) => call(base, 'PUT', `/api/v1${path}`, { token, body }),
    patch: (path: string, body: unknown) => call(base, 'PATCH', `/api/v1${path}`, { token, body }),
    delete: (path: string) => call(base, 'DELETE', `/api/v1${path}`, { token }),
  });
  type Client = ReturnType<typeof as>;
  const notFound = (response: Response, code: string) =>
    expect([response.status, response.body.code]).toEqual([404, code]);

  interface Place {
    id: string;
    slug: string;
    dev: string;
    prod: string;
  }
  let aAdmin: Client;
  let bAdmin: Client;
  let orgA: string;
  let orgB: string;
  let payments: Place; // A's project P1
  let billing: Place; // A's project P2
  let bProject: Place; // B's own, with the same slug as A's P1

  async function project(client: Client, slug: string): Promise<Place> {
    const created = await client.post('/projects', { slug, name: slug });
    expect(created.status).toBe(201);
    const env = (name: string) =>
      created.body.environments.find((e: { slug: string }) => e.slug === name).id as string;
    return { id: created.body.id, slug, dev: env('dev'), prod: env('prod') };
  }

  async function userIn(client: Client, role?: string): Promise<{ id: string; token: string }> {
    const email = unique('user');
    const user = await client.post('/users', { email, password, ...(role ? { role } : {}) });
    expect(user.status).toBe(201);
    return { id: user.body.id, token: await login(base, email, password) };
  }

  beforeAll(async () => {
    primary = await startPrimary('tenant-isolation');
    base = primary.baseUrl;
    const platformToken = await login(base, primary.admin.email, primary.admin.password);
    aAdmin = as(platformToken);
    orgA = (await aAdmin.get('/organizations')).body[0].id;
    const org = await aAdmin.post('/organizations', { slug: 'org-b', name: 'B' });
    expect(org.status).toBe(201);
    orgB = org.body.id;
    const email = unique('b-admin');
    const admin = await aAdmin.post(`/organizations/${orgB}/admins`, { email });
    expect(admin.status).toBe(201);
    bAdmin = as(await login(base, email, admin.body.password));

    payments = await project(aAdmin, 'payments');
    billing = await project(aAdmin, 'billing');
    bProject = await project(bAdmin, 'payments');
    for (const [place, value] of [
      [payments, 'a-payments-v'],
      [billing, 'a-billing-v'],
    ] as const) {
      const env = `/projects/${place.id}/environments/${place.dev}`;
      expect(
        (await aAdmin.put(`${env}/secrets/app/db`, { value: `${value}1`, customMetadata: { owner: 'a' } }))
          .status,
      ).toBe(200);
      expect((await aAdmin.put(`${env}/secrets/app/db`, { value: `${value}2` })).status).toBe(200);
    }
    // Version 2 of P1's secret is soft-deleted: something B could try to undelete.
    expect(
      (await aAdmin.delete(`/projects/${payments.id}/environments/${payments.dev}/secrets/app/db`)).body,
    ).toEqual({ deleted: [2] });
  });
  afterAll(() => primary.close());

  describe("organization B's admin against organization A", () => {
    it('secrets: every route answers project_not_found for A’s project, by id or slug, and A’s secret is untouched', async () => {
      const routes = (env: string): [string, (client: Client) => Promise<Response>][] => [
        ['list', (c) => c.get(`${env}/secrets`)],
        ['read', (c) => c.get(`${env}/secrets/app/db`)],
        ['read a version', (c) => c.get(`${env}/secrets/app/db?version=1`)],
        ['read wrapped', (c) => c.get(`${env}/secrets/app/db?wrap_ttl=60s`)],
        ['credentials', (c) => c.get(`${env}/credentials?ref=${encodeURIComponent('azure://vault/app/db')}`)],
        ['metadata', (c) => c.get(`${env}/metadata/app/db`)],
        ['update metadata', (c) => c.patch(`${env}/metadata/app/db`, { customMetadata: { owner: 'b' } })],
        ['write', (c) => c.put(`${env}/secrets/app/db`, { value: 'from-b' })],
        ['delete current', (c) => c.delete(`${env}/secrets/app/db`)],
        ['delete versions', (c) => c.post(`${env}/delete/app/db`, { versions: [1] })],
        ['undelete', (c) => c.post(`${env}/undelete/app/db`, { versions: [2] })],
        ['destroy', (c) => c.post(`${env}/destroy/app/db`, { versions: [1] })],
        ['purge', (c) => c.delete(`${env}/metadata/app/db`)],
      ];
      for (const env of [
        `/projects/${payments.id}/environments/${payments.dev}`,
        `/projects/${payments.id}/environments/dev`,
        `/projects/${billing.slug}/environments/dev`,
      ]) {
        for (const [name, route] of routes(env)) {
          const response = await route(bAdmin);
          expect({ name, env, status: response.status, code: response.body.code }).toEqual({
            name,
            env,
            status: 404,
            code: 'project_not_found',
          });
        }
      }
      // B's own project of the same slug, with A's environment id: the environment is not in it.
      notFound(
        await bAdmin.get(`/projects/${bProject.id}/environments/${payments.dev}/secrets/app/db`),
        'environment_not_found',
      );
      notFound(
        await bAdmin.get(`/projects/payments/environments/${payments.dev}/metadata/app/db`),
        'environment_not_found',
      );
      // The slug "payments" resolves to B's project, which has no such secret.
      notFound(await bAdmin.get('/projects/payments/environments/dev/secrets/app/db'), 'secret_not_found');
      expect((await bAdmin.get('/projects/payments/environments/dev/secrets')).body).toEqual({ keys: [] });
      // Adding an environment to A's project.
      notFound(
        await bAdmin.post(`/projects/${payments.id}/environments`, { slug: 'sneaky' }),
        'project_not_found',
      );

      const aEnv = `/projects/${payments.id}/environments/${payments.dev}`;
      expect((await aAdmin.get(`${aEnv}/secrets/app/db?version=1`)).body.value).toBe('a-payments-v1');
      const meta = (await aAdmin.get(`${aEnv}/metadata/app/db`)).body;
      expect(meta.customMetadata).toEqual({ owner: 'a' });
      expect(
        meta.versions.map((v: { version: number; enabled: boolean; destroyed: boolean }) => [
          v.version,
          v.enabled,
          v.destroyed,
        ]),
      ).toEqual([
        [1, true, false],
        [2, false, false],
      ]);
      expect(
        (await aAdmin.get(`/projects`)).body
          .find((p: { id: string }) => p.id === payments.id)
          .environments.map((e: { slug: string }) => e.slug),
      ).not.toContain('sneaky');
    });

    it('secrets service: a scope naming another organization, or another project, finds nothing', async () => {
      const secrets = primary.app.get(SecretsService);
      const forged = [
        { organizationId: orgB, projectId: payments.id, environmentId: payments.dev },
        { organizationId: orgA, projectId: billing.id, environmentId: payments.dev },
      ];
      for (const scope of forged) {
        for (const attempt of [
          () => secrets.read(scope, 'app/db', 1),
          () => secrets.metadata(scope, 'app/db'),
          () => secrets.destroy(scope, 'app/db', [1]),
          () => secrets.undelete(scope, 'app/db', [2]),
        ]) {
          const error = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ProblemException);
          expect((error as ProblemException).code).toBe('secret_not_found');
        }
        expect(await secrets.list(scope)).toEqual([]);
        expect(await secrets.liveSecrets(scope)).toEqual([]);
      }
      // The real scope still reads, after the forged ones (a cache keyed by environment alone would have served them).
      expect(
        (
          await secrets.read(
            { organizationId: orgA, projectId: payments.id, environmentId: payments.dev },
            'app/db',
            1,
          )
        ).value,
      ).toBe('a-payments-v1');
      await expect(secrets.read(forged[0]!, 'app/db', 1)).rejects.toMatchObject({ code: 'secret_not_found' });
      // Environments have no organization column: adding one checks the project against the scope's organization.
      const bScope = { organizationId: orgB, projectId: payments.id, bindings: [] };
      await expect(
        primary.app.get(ProjectsService).addEnvironment(bScope, { slug: 'forged' }),
      ).rejects.toMatchObject({ code: 'project_not_found' });
    });

    it('wrapping: the single-use token is the credential — B gains nothing from its own session, and a holder unwraps once', async () => {
      const wrapped = await aAdmin.get(
        `/projects/${payments.id}/environments/${payments.dev}/secrets/app/db?version=1&wrap_ttl=60s`,
      );
      expect(wrapped.status).toBe(200);
      const token: string = wrapped.body.wrap.token;
      // B's session is no key: a token it does not hold fails exactly as for anyone.
      const guessed = await bAdmin.post('/wrapping/unwrap', {
        token: token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
      });
      expect([guessed.status, guessed.body.code]).toEqual([400, 'invalid_wrapping_token']);
      // Nothing in B's view names the wrap: no audit event, no listing.
      expect(JSON.stringify((await bAdmin.get('/audit/events')).body)).not.toContain(token.slice(0, 12));
      // The holder (whoever it is, like Vault's sys/wrapping/unwrap) gets the value once; then nobody does.
      const first = await call(base, 'POST', '/api/v1/wrapping/unwrap', { body: { token } });
      expect(first.body).toEqual({ data: expect.objectContaining({ value: 'a-payments-v1' }) });
      expect((await bAdmin.post('/wrapping/unwrap', { token })).body.code).toBe('invalid_wrapping_token');
    });

    it('PKI: CAs, profiles and certificates of A are not found; B lists none of them', async () => {
      const root = await aAdmin.post('/pki/cas/root', {
        name: 'a-root',
        subject: { commonName: 'A Root' },
        ttlSeconds: 365 * 86400,
        pathLength: 1,
      });
      expect(root.status).toBe(201);
      const caId: string = root.body.id;
      const profile = await aAdmin.post('/pki/profiles', {
        name: 'a-web',
        caId,
        definition: { allowedDomains: ['a.test'], allowSubdomains: true, maxTtlSeconds: 30 * 86400 },
      });
      expect(profile.status).toBe(201);
      const issued = await aAdmin.post('/pki/issue', { profile: 'a-web', commonName: 'app.a.test' });
      expect(issued.status).toBe(201);
      const serial: string = issued.body.serial;

      notFound(await bAdmin.get(`/pki/cas/${caId}`), 'ca_not_found');
      notFound(await bAdmin.post(`/pki/cas/${caId}/crl`), 'ca_not_found');
      notFound(await bAdmin.post(`/pki/cas/${caId}/ocsp-signer`, { keyType: 'ecdsa-p256' }), 'ca_not_found');
      notFound(await bAdmin.post(`/pki/cas/${caId}/revoke`, { reason: 'keyCompromise' }), 'ca_not_found');
      notFound(
        await bAdmin.post('/pki/cas/intermediate', {
          name: 'b-sub',
          parentId: caId,
          subject: { commonName: 'B under A' },
        }),
        'ca_not_found',
      );
      notFound(
        await bAdmin.post('/pki/profiles', { name: 'b-on-a', caId, definition: { maxTtlSeconds: 3600 } }),
        'ca_not_found',
      );
      for (const name of ['a-web', profile.body.id]) {
        notFound(await bAdmin.get(`/pki/profiles/${name}`), 'profile_not_found');
        notFound(
          await bAdmin.put(`/pki/profiles/${name}`, { definition: { maxTtlSeconds: 3600 } }),
          'profile_not_found',
        );
        notFound(await bAdmin.delete(`/pki/profiles/${name}`), 'profile_not_found');
        notFound(
          await bAdmin.post('/pki/issue', { profile: name, commonName: 'x.a.test' }),
          'profile_not_found',
        );
      }
      notFound(await bAdmin.get(`/pki/certificates/${serial}`), 'certificate_not_found');
      notFound(await bAdmin.post(`/pki/certificates/${serial}/renew`, {}), 'certificate_not_found');
      notFound(
        await bAdmin.post(`/pki/certificates/${serial}/revoke`, { reason: 'keyCompromise' }),
        'certificate_not_found',
      );
      expect((await bAdmin.get('/pki/cas')).body).toEqual([]);
      expect((await bAdmin.get('/pki/profiles')).body).toEqual([]);
      for (const query of ['', `?serial=${serial}`, `?ca=${caId}`, '?san=app.a.test']) {
        expect((await bAdmin.get(`/pki/certificates${query}`)).body).toEqual({ items: [], total: 0 });
      }
      const still = await aAdmin.get(`/pki/certificates/${serial}`);
      expect(still.body.status).toBe('good');
      expect((await aAdmin.get(`/pki/cas/${caId}`)).body.status).toBe('active');
    });

    it('tokens and role bindings: A’s are neither listed nor changed, nor can B bind into A', async () => {
      const aToken = await aAdmin.post('/tokens', {
        name: 'a-ci',
        permissions: ['secrets:read'],
        projectId: payments.id,
        expiresInDays: 1,
      });
      expect(aToken.status).toBe(201);
      const aUser = await userIn(aAdmin);
      const aBinding = await aAdmin.post('/role-bindings', {
        userId: aUser.id,
        role: 'developer',
        projectId: payments.id,
      });
      expect(aBinding.status).toBe(201);
      const bUser = await userIn(bAdmin);

      expect((await bAdmin.get('/tokens')).body.map((t: { id: string }) => t.id)).not.toContain(
        aToken.body.id,
      );
      notFound(await bAdmin.delete(`/tokens/${aToken.body.id}`), 'token_not_found');
      notFound(
        await bAdmin.post('/tokens', {
          name: 'b-into-a',
          permissions: ['secrets:read'],
          projectId: payments.id,
          expiresInDays: 1,
        }),
        'scope_not_found',
      );
      notFound(
        await bAdmin.post('/tokens', {
          name: 'b-into-a',
          permissions: ['secrets:read'],
          projectId: bProject.id,
          environmentId: payments.dev,
          expiresInDays: 1,
        }),
        'scope_not_found',
      );
      expect(
        (
          await as(aToken.body.token).get(
            `/projects/${payments.id}/environments/${payments.dev}/secrets/app/db?version=1`,
          )
        ).status,
      ).toBe(200);

      const bBindings = await bAdmin.get('/role-bindings');
      expect(new Set(bBindings.body.map((b: { organizationId: string }) => b.organizationId))).toEqual(
        new Set([orgB]),
      );
      expect((await bAdmin.get(`/role-bindings?userId=${aUser.id}`)).body).toEqual([]);
      notFound(await bAdmin.delete(`/role-bindings/${aBinding.body.id}`), 'binding_not_found');
      notFound(await bAdmin.post('/role-bindings', { userId: aUser.id, role: 'admin' }), 'user_not_found');
      notFound(
        await bAdmin.post('/role-bindings', { userId: bUser.id, role: 'developer', projectId: payments.id }),
        'project_not_found',
      );
      notFound(
        await bAdmin.post('/role-bindings', {
          userId: bUser.id,
          role: 'developer',
          projectId: bProject.id,
          environmentId: payments.dev,
        }),
        'environment_not_found',
      );
      expect(
        (await aAdmin.get(`/role-bindings?userId=${aUser.id}`)).body.map((b: { id: string }) => b.id),
      ).toEqual([aBinding.body.id]);
      expect(
        (
          await as(aUser.token).get(
            `/projects/${payments.id}/environments/${payments.dev}/secrets/app/db?version=1`,
          )
        ).status,
      ).toBe(200);
    });

    it("audit: B reads its own events only; naming A's organization answers like naming none that exists", async () => {
      const aEventIds = (
        await primary.dataSource.getRepository(AuditEventEntity).findBy({ organizationId: orgA })
      ).map((e) => e.id);
      expect(aEventIds.length).toBeGreaterThan(0);
      const events = await bAdmin.get('/audit/events?limit=1000');
      expect(events.status).toBe(200);
      expect(new Set(events.body.events.map((e: { organizationId: string }) => e.organizationId))).toEqual(
        new Set([orgB]),
      );
      expect(events.body.events.filter((e: { id: string }) => aEventIds.includes(e.id))).toEqual([]);
      const named = await bAdmin.get(`/audit/events?organizationId=${orgA}`);
      const nobody = await bAdmin.get('/audit/events?organizationId=00000000-0000-4000-8000-000000000000');
      expect([named.status, named.body.code, named.body.detail]).toEqual([
        nobody.status,
        nobody.body.code,
        nobody.body.detail,
      ]);
      expect(named.status).toBe(403);
    });
  });

  describe('inside one organization: a caller bound to project P1', () => {
    it('reaches P1 and neither P2 nor P2’s environments through P1', async () => {
      const developer = await userIn(aAdmin);
      expect(
        (
          await aAdmin.post('/role-bindings', {
            userId: developer.id,
            role: 'developer',
            projectId: payments.id,
          })
        ).status,
      ).toBe(201);
      const dev = as(developer.token);
      expect(
        (await dev.get(`/projects/${payments.slug}/environments/dev/secrets/app/db?version=1`)).body.value,
      ).toBe('a-payments-v1');

      for (const env of [
        `/projects/${billing.id}/environments/${billing.dev}`,
        `/projects/${billing.slug}/environments/dev`,
      ]) {
        for (const response of [
          await dev.get(`${env}/secrets/app/db`),
          await dev.get(`${env}/secrets`),
          await dev.get(`${env}/metadata/app/db`),
          await dev.put(`${env}/secrets/app/db`, { value: 'x' }),
        ]) {
          expect(response.status).toBe(403);
        }
      }
      // P1 in the route, P2's environment id: the environment is not P1's, whatever the bindings say.
      const mixed = `/projects/${payments.id}/environments/${billing.dev}`;
      for (const response of [
        await dev.get(`${mixed}/secrets/app/db`),
        await dev.get(`${mixed}/secrets`),
        await dev.get(`${mixed}/metadata/app/db`),
        await dev.put(`${mixed}/secrets/app/db`, { value: 'x' }),
      ]) {
        notFound(response, 'environment_not_found');
      }
      expect(
        (await aAdmin.get(`/projects/${billing.id}/environments/${billing.dev}/secrets/app/db`)).body.value,
      ).toBe('a-billing-v2');
      expect((await dev.get('/projects')).body.map((p: { id: string }) => p.id)).toEqual([payments.id]);
    });

    it("P1's project admin manages P1's tokens and certificates, not P2's", async () => {
      const projectAdmin = await userIn(aAdmin);
      expect(
        (
          await aAdmin.post('/role-bindings', {
            userId: projectAdmin.id,
            role: 'project-admin',
            projectId: payments.id,
          })
        ).status,
      ).toBe(201);
      const p1Admin = as(projectAdmin.token);
      const p2Token = await aAdmin.post('/tokens', {
        name: 'p2-ci',
        permissions: ['secrets:read'],
        projectId: billing.id,
        expiresInDays: 1,
      });
      const p1Token = await p1Admin.post('/tokens', {
        name: 'p1-ci',
        permissions: ['secrets:read'],
        projectId: payments.id,
        expiresInDays: 1,
      });
      expect([p2Token.status, p1Token.status]).toEqual([201, 201]);
      const listed = (await p1Admin.get('/tokens')).body.map((t: { projectId: string }) => t.projectId);
      expect(listed).toContain(payments.id);
      expect(new Set(listed)).toEqual(new Set([payments.id]));
      expect((await p1Admin.delete(`/tokens/${p2Token.body.id}`)).status).toBe(403);
      expect(
        (
          await p1Admin.post('/tokens', {
            name: 'into-p2',
            permissions: ['secrets:read'],
            projectId: billing.id,
            expiresInDays: 1,
          })
        ).status,
      ).toBe(403);

      const ca = await aAdmin.post('/pki/cas/root', {
        name: 'a-projects-root',
        subject: { commonName: 'A Projects Root' },
        ttlSeconds: 365 * 86400,
      });
      expect(ca.status).toBe(201);
      const definition = {
        allowedDomains: ['billing.test', 'payments.test'],
        allowSubdomains: true,
        maxTtlSeconds: 86400,
      };
      expect(
        (
          await aAdmin.post('/pki/profiles', {
            name: 'p2-web',
            caId: ca.body.id,
            projectId: billing.id,
            definition,
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await aAdmin.post('/pki/profiles', {
            name: 'p1-web',
            caId: ca.body.id,
            projectId: payments.id,
            definition,
          })
        ).status,
      ).toBe(201);
      const p2Cert = await aAdmin.post('/pki/issue', { profile: 'p2-web', commonName: 'x.billing.test' });
      expect(p2Cert.status).toBe(201);
      expect(
        (await p1Admin.post('/pki/issue', { profile: 'p1-web', commonName: 'x.payments.test' })).status,
      ).toBe(201);
      expect(
        (await p1Admin.post('/pki/issue', { profile: 'p2-web', commonName: 'y.billing.test' })).status,
      ).toBe(403);
      expect(
        (
          await p1Admin.post('/pki/issue', {
            profile: 'p1-web',
            environment: billing.dev,
            commonName: 'z.payments.test',
          })
        ).body.code,
      ).toBe('environment_not_found');
      expect(
        (await p1Admin.post(`/pki/certificates/${p2Cert.body.serial}/revoke`, { reason: 'superseded' }))
          .status,
      ).toBe(403);
      expect((await aAdmin.get(`/pki/certificates/${p2Cert.body.serial}`)).body.status).toBe('good');
    });
  });
});
