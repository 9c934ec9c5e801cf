import { randomBytes } from 'node:crypto';
import { generateE2eeKeys } from './e2ee-channel';
import { openE2eeKeys, sealE2eeKeys } from './e2ee-sealed-keys';
import { EnvMasterKeyProvider } from './env-master-key.provider';
import { MasterKeyRing } from './master-key.provider';

describe('E2EE private keys at rest', () => {
  const ring = new MasterKeyRing(new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') }));
  const owner = { kind: 'gateway-e2ee', ownerId: '3b0f6f3e-5f5e-4c55-9a43-2f1d8b2d1c11' };

  it('seals both private JWKs, opens them back with their public halves, and binds them to the owner', async () => {
    const keys = await generateE2eeKeys();
    const sealed = await sealE2eeKeys(keys, owner, ring);
    expect(sealed).not.toContain(keys.signing.privateJwk.d);
    expect(sealed).not.toContain(keys.encryption.privateJwk.d);
    expect(await openE2eeKeys(sealed, owner, ring)).toEqual(keys);
    await expect(openE2eeKeys(sealed, { ...owner, ownerId: 'another' }, ring)).rejects.toThrow();
  });
});
