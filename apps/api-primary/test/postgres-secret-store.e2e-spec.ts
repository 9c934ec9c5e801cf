import { supportsWrapping } from '@mazevault/keyvault';
import { describeSecretStoreContract } from '@mazevault/testing';
import { SecretScopeService } from '../src/projects/secret-scope.service';
import { PostgresSecretStore } from '../src/secrets/postgres-secret.store';
import { SecretsService } from '../src/secrets/secrets.service';
import { WrappingService } from '../src/secrets/wrapping.service';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * The `postgres` strategy passes the same SecretStore contract suite as the `azure` strategy does
 * against the Key Vault test server. Real PostgreSQL, real envelope encryption.
 */
let primary: PrimaryTestApp | undefined;
let store: PostgresSecretStore | undefined;

async function createStore(): Promise<PostgresSecretStore> {
  if (store) return store;
  primary = await startPrimary('pgstore');
  const token = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
  expect(
    (
      await call(primary.baseUrl, 'POST', '/api/v1/projects', {
        token,
        body: { slug: 'contract', name: 'Contract' },
      })
    ).status,
  ).toBe(201);
  const [admin] = (await call(primary.baseUrl, 'GET', '/api/v1/users', { token })).body;
  const scope = await primary.app.get(SecretScopeService).resolve(admin.organizationId, 'contract', 'dev');
  store = new PostgresSecretStore(
    primary.app.get(SecretsService),
    scope,
    { type: 'service', id: 'contract-test' },
    primary.app.get(WrappingService),
  );
  return store;
}

describeSecretStoreContract('postgres (MazeVault envelope-encrypted store)', { createStore });

// File-level, so it runs after every describe block below as well.
afterAll(() => primary?.close());

describe('postgres strategy: response wrapping capability', () => {
  it('wraps a read into a token that unwraps exactly once', async () => {
    const pg = await createStore();
    expect(supportsWrapping(pg)).toBe(true);
    await pg.createCredentials('wrap/me', { password: 'once-only' });
    const wrapped = await pg.getCredentialsWrapped('azure://vault/wrap/me#password', 60);
    expect(wrapped.ttl).toBe(60);
    expect(await pg.unwrap(wrapped.token)).toEqual({ password: 'once-only' });
    await expect(pg.unwrap(wrapped.token)).rejects.toThrow(/unknown or was already used/);
  });
});
