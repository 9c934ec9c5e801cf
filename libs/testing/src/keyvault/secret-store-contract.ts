import { randomBytes } from 'node:crypto';
import { SecretNotFoundError, type SecretStore } from '@mazevault/keyvault';

export interface SecretStoreContractOptions {
  /** Called once per test; return a ready store (may be shared between tests). */
  createStore(): Promise<SecretStore> | SecretStore;
  /** Optional teardown after all tests. */
  dispose?(): Promise<void> | void;
}

/**
 * The behaviour every SecretStore strategy must have, as a reusable Jest suite:
 *
 *     describeSecretStoreContract('azure (test server)', { createStore: () => store });
 *     describeSecretStoreContract('postgres', { createStore: () => new PostgresSecretStore(...) });
 *
 * Tests use fresh random names (under a per-run prefix), so a shared backend needs no cleanup and
 * soft-deleted names are never reused.
 */
export function describeSecretStoreContract(label: string, options: SecretStoreContractOptions): void {
  describe(`SecretStore contract: ${label}`, () => {
    let store: SecretStore;
    const run = randomBytes(3).toString('hex');
    let counter = 0;
    const fresh = (base: string) => `ct${run}/${base}-${++counter}`;

    beforeEach(async () => {
      store = await options.createStore();
    });
    afterAll(async () => {
      await options.dispose?.();
    });

    it('creates and reads a JSON secret, whole and by field', async () => {
      const name = fresh('app/db');
      const written = await store.createCredentials(name, { username: 'app', password: 'p4ss', port: 5432 });
      expect(written.name).toBe(name);
      expect(written.version).toBeTruthy();
      expect(await store.getCredentials(name)).toEqual({ username: 'app', password: 'p4ss', port: 5432 });
      expect(await store.getCredentials(`${name}#username`)).toEqual({ username: 'app' });
      expect(await store.getCredentials(`${name}#missing`)).toEqual({ missing: null });
      expect(await store.getCredentials({ name, key: 'port' })).toEqual({ port: 5432 });
    });

    it('reads a scalar secret as { value } and a field of it as null', async () => {
      const name = fresh('token');
      await store.createCredentials(name, 'just-a-string');
      expect(await store.getCredentials(name)).toEqual({ value: 'just-a-string' });
      expect(await store.getCredentials(`${name}#username`)).toEqual({ username: null });
    });

    it('keeps names with mixed case, dashes and deep paths distinct', async () => {
      const base = fresh('Team');
      await store.createCredentials(`${base}/My-App/DB`, { v: 1 });
      await store.createCredentials(`${base}/my-app/db`, { v: 2 });
      expect(await store.getCredentials(`${base}/My-App/DB`)).toEqual({ v: 1 });
      expect(await store.getCredentials(`${base}/my-app/db`)).toEqual({ v: 2 });
    });

    it('updates create a new latest version; older versions stay readable by ?version=', async () => {
      const name = fresh('rotating');
      const v1 = await store.createCredentials(name, { password: 'one' });
      const v2 = await store.updateCredentials(name, { password: 'two' });
      expect(v2.version).not.toBe(v1.version);
      expect(await store.getLatestVersion(name)).toBe(v2.version);
      expect(await store.getCredentials(name)).toEqual({ password: 'two' });
      expect(await store.getCredentials(`${name}?version=${v1.version}`)).toEqual({ password: 'one' });
      expect(await store.getCredentials(`${name}?version=${v1.version}#password`)).toEqual({
        password: 'one',
      });
    });

    it('refuses to update a secret that does not exist', async () => {
      const name = fresh('never-created');
      await expect(store.updateCredentials(name, { a: 1 })).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.getCredentials(name)).rejects.toBeInstanceOf(SecretNotFoundError);
    });

    it('reports metadata and replaces or merges custom metadata; updates keep it', async () => {
      const name = fresh('meta');
      const { version } = await store.createCredentials(
        name,
        { a: 1 },
        { custom: { owner: 'team-a', tier: 'gold' } },
      );
      const meta = await store.readSecretMetadata(name);
      expect(meta).toMatchObject({ name, version, enabled: true, custom: { owner: 'team-a', tier: 'gold' } });
      expect(meta.createdAt).toBeInstanceOf(Date);

      const merged = await store.updateCustomMetadata(name, { tier: 'silver', cost: 'c1' }, true);
      expect(merged.custom).toEqual({ owner: 'team-a', tier: 'silver', cost: 'c1' });
      const replaced = await store.updateCustomMetadata(name, { only: 'this' }, false);
      expect(replaced.custom).toEqual({ only: 'this' });

      await store.updateCredentials(name, { a: 2 });
      expect((await store.readSecretMetadata(name)).custom).toEqual({ only: 'this' });
      await expect(store.updateCustomMetadata(fresh('nope'), { a: 'b' }, true)).rejects.toBeInstanceOf(
        SecretNotFoundError,
      );
      await expect(store.readSecretMetadata(fresh('nope'))).rejects.toBeInstanceOf(SecretNotFoundError);
    });

    it('lists secrets (metadata only) and keys by prefix', async () => {
      const prefix = fresh('list');
      for (const leaf of ['a', 'b', 'c/d'])
        await store.createCredentials(`${prefix}/${leaf}`, { secret: leaf }, { custom: { leaf } });
      await store.createCredentials(`${prefix}x/other`, 'v');
      expect(await store.listKeys(`${prefix}/`)).toEqual([`${prefix}/a`, `${prefix}/b`, `${prefix}/c/d`]);
      const listed = (await store.listCredentials()).filter((s) => s.name.startsWith(`${prefix}/`));
      expect(listed.map((s) => [s.name, s.custom])).toEqual([
        [`${prefix}/a`, { leaf: 'a' }],
        [`${prefix}/b`, { leaf: 'b' }],
        [`${prefix}/c/d`, { leaf: 'c/d' }],
      ]);
      expect(JSON.stringify(listed)).not.toContain('"secret"');
    });

    it('soft-deletes: the secret disappears from reads and lists; deleting again is not found', async () => {
      const name = fresh('doomed');
      await store.createCredentials(name, { a: 1 });
      await store.deleteCredentials(name);
      await expect(store.getCredentials(name)).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(store.getLatestVersion(name)).rejects.toBeInstanceOf(SecretNotFoundError);
      expect(await store.listKeys(name)).toEqual([]);
      await expect(store.deleteCredentials(name)).rejects.toBeInstanceOf(SecretNotFoundError);
    });

    it('never puts secret values in error messages', async () => {
      const name = fresh('leaky');
      await store.createCredentials(name, { password: 'hunter2-unique' });
      const error = await store
        .getCredentials(`${name}?version=0123456789abcdef0123456789abcdef`)
        .catch((e: Error) => e);
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect(String((error as Error).message)).not.toContain('hunter2-unique');
    });
  });
}
