import { SecretVersionEntity } from '@mazevault/persistence';
import { ManualClock } from '@mazevault/platform';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('Primary secrets API (real PostgreSQL, envelope encryption, HTTP)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;
  const env = '/api/v1/projects/payments/environments/prod';
  const clock = new ManualClock();

  beforeAll(async () => {
    primary = await startPrimary('secrets', {}, { clock });
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
    const project = await call(base, 'POST', '/api/v1/projects', {
      token,
      body: { slug: 'payments', name: 'Payments' },
    });
    expect(project.status).toBe(201);
    expect(project.body.environments.map((e: { slug: string }) => e.slug)).toEqual(['dev', 'test', 'prod']);
  });
  afterAll(() => primary?.close());

  const put = (path: string, body: unknown) => call(base, 'PUT', `${env}/secrets/${path}`, { token, body });
  const get = (path: string) => call(base, 'GET', `${env}/${path}`, { token });

  it('writes versions, reads latest and by version, and stores only ciphertext', async () => {
    expect((await put('app/db', { value: { username: 'svc', password: 'pw-v1' } })).body).toMatchObject({
      path: 'app/db',
      version: 1,
    });
    expect((await put('app/db', { value: { username: 'svc', password: 'pw-v2' } })).body.version).toBe(2);
    const latest = await get('secrets/app/db');
    expect(latest.body).toMatchObject({ version: 2, value: { username: 'svc', password: 'pw-v2' } });
    // A secret must not be kept by a browser or proxy.
    expect(latest.headers.get('cache-control')).toBe('no-store');
    expect((await get('secrets/app/db?version=1')).body.value.password).toBe('pw-v1');
    const rows = await primary.dataSource.getRepository(SecretVersionEntity).find();
    expect(JSON.stringify(rows)).not.toMatch(/pw-v1|pw-v2|svc/);
  });

  it('addresses projects and environments by id as well as by slug', async () => {
    await put('ids/db', { value: { password: 'by-id' } });
    const projects = await call(base, 'GET', '/api/v1/projects', { token });
    const payments = projects.body.find((p: { slug: string }) => p.slug === 'payments');
    const prod = payments.environments.find((e: { slug: string }) => e.slug === 'prod');
    const byId = await call(
      base,
      'GET',
      `/api/v1/projects/${payments.id}/environments/${prod.id}/secrets/ids/db`,
      { token },
    );
    expect(byId.body.value.password).toBe('by-id');
    expect(
      (await call(base, 'GET', `/api/v1/projects/payments/environments/staging/secrets/app/db`, { token }))
        .body.code,
    ).toBe('environment_not_found');
  });

  it('enforces check-and-set', async () => {
    expect((await put('app/cas', { value: 'a', cas: 0 })).status).toBe(200);
    const conflict = await put('app/cas', { value: 'b', cas: 0 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('cas_mismatch');
    expect((await put('app/cas', { value: 'b', cas: 1 })).body.version).toBe(2);
    expect((await put('app/new', { value: 'x', cas: 3 })).status).toBe(409);
  });

  it('lists hierarchically by prefix', async () => {
    // Its own environment: the root listing is exact whatever the other tests wrote, in any order.
    const testEnv = '/api/v1/projects/payments/environments/test';
    for (const path of ['app/api/key', 'app/cas', 'app/db']) {
      expect(
        (await call(base, 'PUT', `${testEnv}/secrets/${path}`, { token, body: { value: 'k' } })).status,
      ).toBe(200);
    }
    const list = async (query: string) =>
      (await call(base, 'GET', `${testEnv}/secrets${query}`, { token })).body.keys;
    expect(await list('')).toEqual(['app/']);
    expect(await list('?prefix=app/')).toEqual(['api/', 'cas', 'db']);
    expect(await list('?prefix=app/api')).toEqual(['key']);
  });

  it('soft-deletes, undeletes and destroys versions, and reports them in metadata', async () => {
    await put('life/cycle', { value: 'v1' });
    await put('life/cycle', { value: 'v2' });
    expect((await call(base, 'DELETE', `${env}/secrets/life/cycle`, { token })).body).toEqual({
      deleted: [2],
    });
    expect((await get('secrets/life/cycle')).body.code).toBe('secret_version_deleted');
    expect((await get('secrets/life/cycle?version=1')).body.value).toBe('v1');
    expect(
      (await call(base, 'POST', `${env}/undelete/life/cycle`, { token, body: { versions: [2] } })).body,
    ).toEqual({ undeleted: [2] });
    expect((await get('secrets/life/cycle')).body.value).toBe('v2');
    expect(
      (await call(base, 'POST', `${env}/destroy/life/cycle`, { token, body: { versions: [1] } })).body,
    ).toEqual({ destroyed: [1] });
    expect((await get('secrets/life/cycle?version=1')).body.code).toBe('secret_version_destroyed');
    const meta = (await get('metadata/life/cycle')).body;
    expect(meta).toMatchObject({ currentVersion: 2, maxVersions: 10 });
    expect(
      meta.versions.map((v: { version: number; enabled: boolean; destroyed: boolean }) => [
        v.version,
        v.enabled,
        v.destroyed,
      ]),
    ).toEqual([
      [1, false, true],
      [2, true, false],
    ]);
    const row = await primary.dataSource.getRepository(SecretVersionEntity).findOneByOrFail({
      version: 1,
      secretId: (await primary.dataSource.query(`SELECT id FROM secrets WHERE path = 'life/cycle'`))[0].id,
    });
    expect(row.ciphertext).toBeNull();
    // The wrapped data key went with it: nothing left in the row could open the version.
    const [raw] = await primary.dataSource.query(
      `SELECT row_to_json(v)::text AS json FROM secret_versions v WHERE secret_id = $1 AND version = 1`,
      [row.secretId],
    );
    expect(raw.json).not.toMatch(/"dek"|A256GCM|"nonce"/);
  });

  it('deletes, undeletes and destroys named versions with one convention (a body of versions), and refuses a body DELETE would ignore', async () => {
    for (const v of ['v1', 'v2', 'v3']) await put('conv/x', { value: v });
    // The probe: DELETE with {"versions":[2]} deleted version 3 and ignored the body.
    const withBody = await call(base, 'DELETE', `${env}/secrets/conv/x`, { token, body: { versions: [2] } });
    expect(withBody.status).toBe(400);
    expect(withBody.body.code).toBe('body_not_accepted');
    expect((await call(base, 'DELETE', `${env}/secrets/conv/x?versions=2`, { token })).body.code).toBe(
      'unexpected_query',
    );
    expect((await get('secrets/conv/x')).body.value).toBe('v3');
    expect(
      (await call(base, 'POST', `${env}/delete/conv/x`, { token, body: { versions: [2] } })).body,
    ).toEqual({ deleted: [2] });
    expect((await get('secrets/conv/x')).body.value).toBe('v3');
    expect((await get('secrets/conv/x?version=2')).body.code).toBe('secret_version_deleted');
    expect(
      (await call(base, 'POST', `${env}/undelete/conv/x`, { token, body: { versions: [2] } })).body,
    ).toEqual({ undeleted: [2] });
    expect((await call(base, 'DELETE', `${env}/secrets/conv/x`, { token })).body).toEqual({ deleted: [3] });
  });

  it('merges or replaces custom metadata and applies max_versions', async () => {
    await put('meta/x', { value: 'v', customMetadata: { owner: 'payments' } });
    expect(
      (
        await call(base, 'PATCH', `${env}/metadata/meta/x`, {
          token,
          body: { customMetadata: { team: 'core' } },
        })
      ).body.customMetadata,
    ).toEqual({ owner: 'payments', team: 'core' });
    expect(
      (
        await call(base, 'PATCH', `${env}/metadata/meta/x`, {
          token,
          body: { customMetadata: { only: 'this' }, mode: 'replace', maxVersions: 2 },
        })
      ).body,
    ).toMatchObject({
      customMetadata: { only: 'this' },
      maxVersions: 2,
    });
    await put('meta/x', { value: 'v2' });
    await put('meta/x', { value: 'v3' });
    const versions = (await get('metadata/meta/x')).body.versions;
    expect(versions.map((v: { destroyed: boolean }) => v.destroyed)).toEqual([true, false, false]);
  });

  it('resolves canonical references exactly as the seed specifies', async () => {
    await put('uri/dict', { value: { username: 'alice', password: 's3cret' } });
    await put('uri/dict', { value: { username: 'bob', password: 'n3w' } });
    await put('uri/scalar', { value: 'just-a-string' });
    const cases: [string, unknown][] = [
      ['azure://vault/uri/dict', { username: 'bob', password: 'n3w' }],
      ['azure://vault/uri/dict#username', { username: 'bob' }],
      ['azure://vault/uri/dict#username?version=1', { username: 'alice' }],
      ['azure://vault/uri/dict?version=v1#password', { password: 's3cret' }],
      ['azure://vault/uri/scalar', { value: 'just-a-string' }],
      ['uri/dict#username', { username: 'bob' }],
    ];
    for (const [ref, expected] of cases) {
      const response = await get(`credentials?ref=${encodeURIComponent(ref)}`);
      expect({ ref, body: response.body }).toEqual({ ref, body: expected });
    }
    // A field the value lacks (or any field of a scalar) is a 404 naming it, not a silent null.
    for (const ref of ['azure://vault/uri/dict#nokey', 'azure://vault/uri/scalar#username']) {
      const missing = await get(`credentials?ref=${encodeURIComponent(ref)}`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect(missing.body).toMatchObject({
        code: 'secret_field_not_found',
        detail: expect.stringContaining(ref.split('#')[1]),
      });
    }
    expect((await get(`credentials?ref=${encodeURIComponent('azure://vault/uri/none')}`)).body.code).toBe(
      'secret_not_found',
    );
    expect(
      (await get(`credentials?ref=${encodeURIComponent('azure://vault/uri/dict?foo=1')}`)).body.code,
    ).toBe('invalid_secret_reference');
  });

  it('wraps a response into a single-use token that expires', async () => {
    await put('wrap/db', { value: { password: 'pw-wrapped' } });
    const wrapped = await get('secrets/wrap/db?wrap_ttl=60s');
    expect(wrapped.body.wrap).toMatchObject({ ttl: 60 });
    expect(JSON.stringify(wrapped.body)).not.toContain('pw-wrapped');
    const first = await call(base, 'POST', '/api/v1/wrapping/unwrap', {
      body: { token: wrapped.body.wrap.token },
    });
    expect(first.status).toBe(200);
    expect(first.body.data.value.password).toBe('pw-wrapped');
    const second = await call(base, 'POST', '/api/v1/wrapping/unwrap', {
      body: { token: wrapped.body.wrap.token },
    });
    expect(second.body.code).toBe('invalid_wrapping_token');

    await put('wrap/dict', { value: { password: 'n3w-wrapped' } });
    // Time is moved, not waited for: the wrap expires on the Primary's injected clock.
    const early = await get(`credentials?ref=${encodeURIComponent('wrap/dict#password')}&wrap_ttl=60`);
    const short = await get(`credentials?ref=${encodeURIComponent('wrap/dict#password')}&wrap_ttl=60`);
    clock.advance(59);
    expect(
      (await call(base, 'POST', '/api/v1/wrapping/unwrap', { body: { token: early.body.wrap.token } }))
        .status,
    ).toBe(200);
    clock.advance(2);
    expect(
      (await call(base, 'POST', '/api/v1/wrapping/unwrap', { body: { token: short.body.wrap.token } })).body
        .code,
    ).toBe('wrapping_token_expired');
    const stored = await primary.dataSource.query('SELECT ciphertext FROM wrapped_responses');
    expect(JSON.stringify(stored)).not.toMatch(/pw-wrapped|n3w-wrapped/);
  });

  it('refuses a ciphertext copied onto another row (AAD binds it to its place)', async () => {
    await put('aad/a', { value: 'secret-a' });
    await put('aad/b', { value: 'secret-b' });
    const ids = await primary.dataSource.query(
      `SELECT id, path FROM secrets WHERE path IN ('aad/a', 'aad/b') ORDER BY path`,
    );
    await primary.dataSource.query(
      `UPDATE secret_versions SET ciphertext = (SELECT ciphertext FROM secret_versions WHERE secret_id = $1 AND version = 1) WHERE secret_id = $2 AND version = 1`,
      [ids[0].id, ids[1].id],
    );
    const swapped = await get('secrets/aad/b');
    expect(swapped.status).toBe(500);
    expect(swapped.body.code).toBe('secret_integrity_error');
    expect(JSON.stringify(swapped.body)).not.toContain('secret-a');
    expect((await get('secrets/aad/a')).body.value).toBe('secret-a');
  });

  it('validates input precisely', async () => {
    expect((await put('bad//path', { value: 1 })).body.code).toBe('invalid_secret_path');
    expect((await put('ok/path', { nope: 1 })).body.code).toBe('validation_failed');
    expect((await put('ok/big', { value: 'x'.repeat(70 * 1024) })).body.code).toBe('secret_too_large');
    // An existing secret: the wrap TTL is read once the secret is found.
    await put('valid/db', { value: 'v' });
    expect((await get('secrets/valid/db?version=0')).body.code).toBe('invalid_version');
    expect((await get('secrets/valid/db?wrap_ttl=forever')).body.code).toBe('invalid_wrap_ttl');
  });

  it('authorizes per environment: a developer bound to dev cannot read prod', async () => {
    const email = `dev-${Date.now()}@example.test`;
    const user = await call(base, 'POST', '/api/v1/users', {
      token,
      body: { email, password: 'a long enough password' },
    });
    const projects = (await call(base, 'GET', '/api/v1/projects', { token })).body;
    const payments = projects.find((p: { slug: string }) => p.slug === 'payments');
    const dev = payments.environments.find((e: { slug: string }) => e.slug === 'dev');
    expect(
      (
        await call(base, 'POST', '/api/v1/role-bindings', {
          token,
          body: { userId: user.body.id, role: 'developer', projectId: payments.id, environmentId: dev.id },
        })
      ).status,
    ).toBe(201);
    const devToken = await login(base, email, 'a long enough password');
    expect(
      (
        await call(base, 'PUT', '/api/v1/projects/payments/environments/dev/secrets/app/db', {
          token: devToken,
          body: { value: 'ok' },
        })
      ).status,
    ).toBe(200);
    const denied = await call(base, 'GET', `${env}/secrets/app/db`, { token: devToken });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/no binding grants secrets:read/);
  });
});
