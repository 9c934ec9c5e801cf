import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvMasterKeyProvider } from './env-master-key.provider';
import { FileMasterKeyProvider } from './file-master-key.provider';
import type { MasterKeyProvider } from './master-key.provider';

const aad = Buffer.from('aad');
const dataKey = randomBytes(32);

async function roundTrip(provider: MasterKeyProvider): Promise<void> {
  const wrapped = await provider.wrapKey(dataKey, aad);
  expect(wrapped.ciphertext.equals(dataKey)).toBe(false);
  expect((await provider.unwrapKey(wrapped, aad)).equals(dataKey)).toBe(true);
}

describe('file master key provider (a real file)', () => {
  const keyB64 = randomBytes(32).toString('base64');

  it('file: reads the key lazily and reports a missing file without leaking content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-'));
    const path = join(dir, 'master.key');
    writeFileSync(path, keyB64 + '\n');
    const provider = new FileMasterKeyProvider({ path });
    expect(provider.id).toBe(`file:${path}`);
    await roundTrip(provider);
    // Same key material wraps interchangeably with the env provider.
    const env = new EnvMasterKeyProvider({ value: keyB64 });
    expect((await env.unwrapKey(await provider.wrapKey(dataKey, aad), aad)).equals(dataKey)).toBe(true);

    const missing = new FileMasterKeyProvider({ path: join(dir, 'nope') });
    await expect(missing.wrapKey(dataKey, aad)).rejects.toThrow(/ENOENT/);
  });
});
