import { AzureSecretStore } from '@mazevault/keyvault';
import { ConsoleInstanceEntity } from '@mazevault/persistence';
import { createTestSecretClient, KeyVaultTestServer } from '@mazevault/testing';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Console instance secrets end to end: the Primary's HTTP API, the azure strategy on the real
 * @azure/keyvault-secrets SDK, the Key Vault test server over HTTPS, and real PostgreSQL.
 */
describe('Console instance secrets (Key Vault test server, real SDK, real PostgreSQL)', () => {
  let vault: KeyVaultTestServer;
  let primary: PrimaryTestApp;
  let token: string;

  beforeAll(async () => {
    vault = await KeyVaultTestServer.start();
    const store = new AzureSecretStore({
      client: createTestSecretClient(vault),
      naming: 'verbatim',
      resilience: { backoff_initial_ms: 10, backoff_max_ms: 50 },
    });
    primary = await startPrimary('console', { SECRET_STORE_PROVIDER: 'noop' }, { store });
    token = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
  });
  afterAll(async () => {
    await primary?.close();
    await vault?.stop();
  });

  const peekValue = async (name: string) => (await createTestSecretClient(vault).getSecret(name)).value;
  const versions = async (name: string) => {
    const found: string[] = [];
    for await (const v of createTestSecretClient(vault).listPropertiesOfSecretVersions(name))
      found.push(v.version ?? '');
    return found;
  };

  it('keeps the three secrets in the vault and only their key names in PostgreSQL', async () => {
    const created = await call(primary.baseUrl, 'POST', '/api/v1/console/instances', {
      token,
      body: { id: 'abc123', name: 'Plant A' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'abc123', tokenRef: 'instance-abc123', dbUriRef: null });
    expect(await peekValue('instance-abc123')).toBe(created.body.token);

    const dbUri = 'postgres://console:pa55@db.internal:5432/console';
    const connected = await call(primary.baseUrl, 'PUT', '/api/v1/console/instances/abc123/connection', {
      token,
      body: { dbUri, oidcClientSecret: 'oidc-s3cret' },
    });
    expect(connected.body).toMatchObject({
      dbUriRef: 'instance-abc123-dburi',
      oidcClientSecretRef: 'instance-abc123-oidc-secret',
    });
    expect(await peekValue('instance-abc123-dburi')).toBe(dbUri);
    expect(await peekValue('instance-abc123-oidc-secret')).toBe('oidc-s3cret');

    const rows = JSON.stringify(await primary.dataSource.getRepository(ConsoleInstanceEntity).find());
    expect(rows).toContain('instance-abc123-dburi');
    for (const value of [dbUri, 'oidc-s3cret', created.body.token]) expect(rows).not.toContain(value);
    expect(
      JSON.stringify(
        (await call(primary.baseUrl, 'GET', '/api/v1/console/instances/abc123', { token })).body,
      ),
    ).not.toContain('pa55');
  });

  it('rotates the token under the same name (the vault keeps the old version); the reader follows', async () => {
    const auth = (presented: string) =>
      call(primary.baseUrl, 'POST', '/api/v1/console/instances/rot1/authenticate', {
        headers: { authorization: `Bearer ${presented}` },
      });
    const created = await call(primary.baseUrl, 'POST', '/api/v1/console/instances', {
      token,
      body: { id: 'rot1', name: 'Rotating' },
    });
    const first = created.body.token as string;
    expect((await auth(first)).status).toBe(200);

    const rotated = await call(primary.baseUrl, 'POST', '/api/v1/console/instances/rot1/rotate-token', {
      token,
    });
    expect(rotated.status).toBe(200);
    const second = rotated.body.token as string;
    expect(second).not.toBe(first);
    expect(await versions('instance-rot1')).toHaveLength(2);
    expect((await auth(second)).status).toBe(200);
    const stale = await auth(first);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('invalid_instance_token');
  });

  it('leaves no vault secret behind when the row cannot be written, and refuses duplicates', async () => {
    await call(primary.baseUrl, 'POST', '/api/v1/console/instances', {
      token,
      body: { id: 'dup1', name: 'One' },
    });
    const again = await call(primary.baseUrl, 'POST', '/api/v1/console/instances', {
      token,
      body: { id: 'dup1', name: 'Two' },
    });
    expect(again.status).toBe(409);
    vault.failNext({ status: 403, times: 1 });
    const denied = await call(primary.baseUrl, 'POST', '/api/v1/console/instances', {
      token,
      body: { id: 'kvdenied', name: 'KV says no' },
    });
    expect(denied.status).toBeGreaterThanOrEqual(500);
    expect(await primary.dataSource.getRepository(ConsoleInstanceEntity).existsBy({ id: 'kvdenied' })).toBe(
      false,
    );
  });
});
