import { NoopSecretStore, SecretNotFoundError, type SecretStore } from '@mazevault/keyvault';
import { RegistrationTokenReader } from './registration-token.reader';

/** A store double holding one token and counting reads (the reader's own logic is what is tested). */
function storeWith(initial: string): {
  store: SecretStore;
  set(token: string | undefined): void;
  reads(): number;
} {
  let token: string | undefined = initial;
  let reads = 0;
  const base = new NoopSecretStore({ warn: () => undefined });
  const store = Object.assign(Object.create(base) as SecretStore, {
    getCredentials: async () => {
      reads++;
      if (token === undefined) throw new SecretNotFoundError('gone', { provider: 'test', operation: 'get' });
      return { value: token };
    },
  });
  return { store, set: (t) => (token = t), reads: () => reads };
}

describe('RegistrationTokenReader', () => {
  it('serves checks from the cache until the refresh interval', async () => {
    let now = 0;
    const vault = storeWith('t1');
    const reader = new RegistrationTokenReader(vault.store, 1000, () => now);
    expect(await reader.verify('abc', 't1')).toBe(true);
    expect(await reader.verify('abc', 't1')).toBe(true);
    expect(vault.reads()).toBe(1);
    now = 1500;
    expect(await reader.verify('abc', 't1')).toBe(true);
    expect(vault.reads()).toBe(2);
  });

  it('re-reads once on a mismatch, so a token rotated elsewhere is accepted at once', async () => {
    const vault = storeWith('old');
    const reader = new RegistrationTokenReader(vault.store, 60_000);
    expect(await reader.verify('abc', 'old')).toBe(true);
    vault.set('new');
    expect(await reader.verify('abc', 'new')).toBe(true);
    expect(await reader.verify('abc', 'old')).toBe(false);
    expect(await reader.verify('abc', 'wrong')).toBe(false);
  });

  it('refuses when the token is gone from the vault', async () => {
    const vault = storeWith('t');
    const reader = new RegistrationTokenReader(vault.store, 60_000);
    vault.set(undefined);
    expect(await reader.verify('abc', 't')).toBe(false);
  });
});
