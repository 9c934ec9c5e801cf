import { hkdfSync, randomBytes } from 'node:crypto';
import { AzureKeyVaultMasterKeyProvider } from './azure-key-vault-master-key.provider';
import { MasterKeyError } from './crypto.errors';
import { EnvMasterKeyProvider } from './env-master-key.provider';
import { MasterKeyRing, type MasterKeyProvider } from './master-key.provider';

const aad = Buffer.from('aad');
const dataKey = randomBytes(32);

async function roundTrip(provider: MasterKeyProvider): Promise<void> {
  const wrapped = await provider.wrapKey(dataKey, aad);
  expect(wrapped.ciphertext.equals(dataKey)).toBe(false);
  expect((await provider.unwrapKey(wrapped, aad)).equals(dataKey)).toBe(true);
}

describe('master key providers', () => {
  const keyB64 = randomBytes(32).toString('base64');

  it('environment: decodes 32 bytes, derives a stable fingerprint id, rejects bad values at construction', async () => {
    const provider = new EnvMasterKeyProvider({ value: keyB64, variableName: 'MV_MASTER_KEY' });
    await roundTrip(provider);
    expect(provider.id).toMatch(/^env:[0-9a-f]{16}$/);
    expect(new EnvMasterKeyProvider({ value: keyB64 }).id).toBe(provider.id);
    expect(() => new EnvMasterKeyProvider({ value: undefined, variableName: 'MV_MASTER_KEY' })).toThrow(
      MasterKeyError,
    );
    expect(() => new EnvMasterKeyProvider({ value: randomBytes(16).toString('base64') })).toThrow(/32 bytes/);
    expect(() => new EnvMasterKeyProvider({ value: 'not base64!' })).toThrow(MasterKeyError);
  });

  it('azure key vault: reads the secret through the injected client, once, and retries after a failure', async () => {
    const calls: unknown[] = [];
    let fail = true;
    const client = {
      async getSecret(name: string, options?: { version?: string }) {
        calls.push([name, options]);
        if (fail) {
          fail = false;
          throw Object.assign(new Error('boom with request details'), { statusCode: 503 });
        }
        return { value: keyB64 };
      },
    };
    const provider = new AzureKeyVaultMasterKeyProvider({ client, secretName: 'mv-master', version: 'abc' });
    expect(provider.id).toBe('azure-kv:mv-master/abc');
    await expect(provider.wrapKey(dataKey, aad)).rejects.toThrow(/status 503/);
    await roundTrip(provider);
    await roundTrip(provider);
    expect(calls).toEqual([
      ['mv-master', { version: 'abc' }],
      ['mv-master', { version: 'abc' }],
    ]);
  });

  it('azure key vault: rejects an empty or short secret', async () => {
    const empty = new AzureKeyVaultMasterKeyProvider({
      client: { getSecret: async () => ({}) },
      secretName: 'x',
    });
    await expect(empty.wrapKey(dataKey, aad)).rejects.toThrow(MasterKeyError);
    const short = new AzureKeyVaultMasterKeyProvider({
      client: { getSecret: async () => ({ value: 'AAAA' }) },
      secretName: 'x',
    });
    await expect(short.wrapKey(dataKey, aad)).rejects.toThrow(/32 bytes/);
  });

  it('key ring resolves by id and refuses unknown ids and duplicates', () => {
    const a = new EnvMasterKeyProvider({ value: keyB64, id: 'a' });
    const b = new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64'), id: 'b' });
    const ring = new MasterKeyRing(b, [a]);
    expect(ring.active).toBe(b);
    expect(ring.get('a')).toBe(a);
    expect(() => ring.get('c')).toThrow(MasterKeyError);
    expect(() => new MasterKeyRing(a, [a])).toThrow(/duplicate/);
  });

  it('derives a key per purpose with HKDF-SHA256: stable, independent per purpose and per master key', async () => {
    const raw = randomBytes(32);
    const provider = new EnvMasterKeyProvider({ value: raw.toString('base64') });
    const audit = await provider.deriveKey('mazevault:audit-chain:v1');
    expect(audit).toHaveLength(32);
    expect(
      audit.equals(
        Buffer.from(
          hkdfSync('sha256', raw, 'mazevault:master-key-derive:v1', 'mazevault:audit-chain:v1', 32),
        ),
      ),
    ).toBe(true);
    expect((await provider.deriveKey('mazevault:audit-chain:v1')).equals(audit)).toBe(true);
    expect((await provider.deriveKey('mazevault:audit-checkpoint:v1')).equals(audit)).toBe(false);
    const other = new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') });
    expect((await other.deriveKey('mazevault:audit-chain:v1')).equals(audit)).toBe(false);
    expect(audit.equals(raw)).toBe(false);
  });
});
