import type { SecretClient } from '@azure/keyvault-secrets';
import { KeyVaultTestServer } from './key-vault-test-server';
import { StaticTokenCredential } from './static-token.credential';
import { createTestSecretClient } from './test-secret-client';

/** The test server exercised with the real @azure/keyvault-secrets SDK (no mocks on the client side). */
describe('KeyVaultTestServer with the real SecretClient', () => {
  let server: KeyVaultTestServer;
  let credential: StaticTokenCredential;
  let client: SecretClient;

  beforeAll(async () => {
    server = await KeyVaultTestServer.start({ pageSize: 2 });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.reset();
    credential = new StaticTokenCredential();
    client = createTestSecretClient(server, { credential });
  });

  it('answers the first call with a bearer challenge, then accepts the token from it', async () => {
    const set = await client.setSecret('db-password', 'hunter2', {
      contentType: 'text/plain',
      tags: { owner: 'team-a' },
    });
    expect(set.value).toBe('hunter2');
    expect(set.properties).toMatchObject({
      name: 'db-password',
      vaultUrl: server.url,
      contentType: 'text/plain',
      tags: { owner: 'team-a' },
    });
    expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(set.properties.recoveryLevel).toBe('Recoverable+Purgeable');
    expect(server.requests.map((r) => [r.method, r.status])).toEqual([
      ['PUT', 401],
      ['PUT', 200],
    ]);
    expect(credential.requests[0]).toEqual({
      scopes: ['https://vault.azure.net/.default'],
      tenantId: server.tenantId,
    });
    expect(server.peek('db-password')?.value).toBe('hunter2');
  });

  it('rejects an unknown token', async () => {
    const bad = createTestSecretClient(server, { credential: new StaticTokenCredential('forged') });
    await expect(bad.getSecret('x')).rejects.toMatchObject({ statusCode: 401 });
  });

  it('gets the latest version and a given version; names are case-insensitive', async () => {
    const v1 = await client.setSecret('api-key', 'one');
    await client.setSecret('API-KEY', 'two');
    expect((await client.getSecret('api-key')).value).toBe('two');
    expect((await client.getSecret('Api-Key', { version: v1.properties.version! })).value).toBe('one');
    await expect(client.getSecret('missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
    await expect(client.getSecret('api-key', { version: '0'.repeat(32) })).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('lists secrets and versions across pages via nextLink', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await client.setSecret(name, 'v');
    for (let i = 0; i < 3; i++) await client.setSecret('a', `v${i}`);
    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const versions: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions('a')) versions.push(p.version!);
    expect(versions).toHaveLength(4);
    // 5 secrets at 2 per page = 3 pages.
    expect(server.apiRequests({ method: 'GET', path: /^\/secrets$/ })).toHaveLength(3);
  });

  it('updates properties (tags, enabled, contentType, expiry) without creating a version', async () => {
    const s = await client.setSecret('cfg', '{"a":1}');
    const expiresOn = new Date('2030-01-01T00:00:00Z');
    const updated = await client.updateSecretProperties('cfg', s.properties.version!, {
      tags: { k: 'v' },
      contentType: 'application/json',
      expiresOn,
    });
    expect(updated).toMatchObject({
      tags: { k: 'v' },
      contentType: 'application/json',
      expiresOn,
      version: s.properties.version,
    });
    await client.updateSecretProperties('cfg', s.properties.version!, { enabled: false });
    await expect(client.getSecret('cfg')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('soft-deletes, refuses reuse of the name, recovers and purges', async () => {
    await client.setSecret('temp', 'x');
    const poller = await client.beginDeleteSecret('temp');
    const deleted = await poller.pollUntilDone();
    expect(deleted.recoveryId).toBe(`${server.url}/deletedsecrets/temp`);
    expect(deleted.deletedOn).toBeInstanceOf(Date);
    await expect(client.getSecret('temp')).rejects.toMatchObject({ statusCode: 404 });
    await expect(client.setSecret('temp', 'y')).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect((await client.getDeletedSecret('temp')).name).toBe('temp');

    await (await client.beginRecoverDeletedSecret('temp')).pollUntilDone();
    expect((await client.getSecret('temp')).value).toBe('x');

    await (await client.beginDeleteSecret('temp')).pollUntilDone();
    await client.purgeDeletedSecret('temp');
    await expect(client.getDeletedSecret('temp')).rejects.toMatchObject({ statusCode: 404 });
    await client.setSecret('temp', 'fresh');
  });

  it('injects failures: 403, and 429 with Retry-After honoured by the SDK retry policy when enabled', async () => {
    server.failNext({ status: 403, path: '/secrets/locked' });
    await expect(client.getSecret('locked')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });

    await client.setSecret('hot', 'v');
    const retrying = createTestSecretClient(server, { retryOptions: { maxRetries: 2 } });
    server.failNext({ status: 429, retryAfterSeconds: 1, path: '/secrets/hot' });
    const started = Date.now();
    expect((await retrying.getSecret('hot')).value).toBe('v');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(server.apiRequests({ path: '/secrets/hot' }).map((r) => r.status)).toEqual([200, 429, 200]);
  });

  it('rejects invalid names like the service', async () => {
    await expect(client.setSecret('bad_name', 'v')).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
    });
  });
});
