import { NoopSecretStore } from './noop-secret.store';
import { SecretNotFoundError } from './secret-store.errors';
import { SecretStoreRegistry } from './secret-store.registry';

describe('NoopSecretStore', () => {
  it('persists nothing and warns on every operation, without logging values', async () => {
    const warn = jest.fn();
    const store = new NoopSecretStore({ warn });
    await expect(store.createCredentials('app/db', { password: 'p4ss' })).resolves.toEqual({
      name: 'app/db',
      version: 'noop',
    });
    await expect(store.getCredentials('app/db')).rejects.toThrow(SecretNotFoundError);
    await expect(store.updateCredentials('app/db', 'x')).rejects.toThrow(SecretNotFoundError);
    await expect(store.deleteCredentials('app/db')).rejects.toThrow(SecretNotFoundError);
    await expect(store.listCredentials()).resolves.toEqual([]);
    await expect(store.listKeys('app/')).resolves.toEqual([]);
    await expect(store.readSecretMetadata('app/db')).rejects.toThrow(SecretNotFoundError);
    await expect(store.updateCustomMetadata('app/db', {}, true)).rejects.toThrow(SecretNotFoundError);
    await expect(store.getLatestVersion('app/db')).rejects.toThrow(SecretNotFoundError);
    expect(warn).toHaveBeenCalledTimes(9);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('p4ss');
    expect(warn.mock.calls[0]).toEqual([
      { provider: 'noop', operation: 'create_secret', secretName: 'app/db' },
      expect.any(String),
    ]);
  });
});

describe('SecretStoreRegistry', () => {
  it('builds one instance per provider and routes references', () => {
    const registry = new SecretStoreRegistry('noop');
    let built = 0;
    registry.registerFactory('noop', () => {
      built++;
      return new NoopSecretStore({ warn: () => undefined });
    });
    const a = registry.create('noop', {});
    expect(registry.create('noop', {})).toBe(a);
    expect(built).toBe(1);
    expect(registry.resolve('app/db')).toEqual({ store: a, ref: { name: 'app/db' } });
    expect(registry.resolve('noop://x/app/db#u').ref).toEqual({
      provider: 'noop',
      vault: 'x',
      name: 'app/db',
      key: 'u',
    });
    expect(() => registry.resolve('azure://v/app/db')).toThrow(
      /no secret store configured for provider "azure"/,
    );
    expect(() => registry.create('vault', {})).toThrow(
      /unknown secret store provider "vault" \(known: noop\)/,
    );
    expect(() => registry.registerFactory('noop', () => a)).toThrow(/already registered/);
  });
});
