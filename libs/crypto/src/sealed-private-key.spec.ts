import { randomBytes } from 'node:crypto';
import { EnvMasterKeyProvider } from './env-master-key.provider';
import { MasterKeyRing } from './master-key.provider';
import {
  openPrivateKey,
  rewrapSealedPrivateKey,
  sealedMasterKeyId,
  sealPrivateKey,
} from './sealed-private-key';

describe('sealed private keys', () => {
  const ring = new MasterKeyRing(new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') }));
  const secret = randomBytes(121);

  it('round-trips and never contains the plaintext', async () => {
    const sealed = await sealPrivateKey(secret, { kind: 'ca', ownerId: 'ca-1' }, ring);
    expect(sealed.masterKeyId).toBe(ring.active.id);
    expect(sealed.sealed).not.toContain(secret.toString('base64url'));
    expect((await openPrivateKey(sealed.sealed, { kind: 'ca', ownerId: 'ca-1' }, ring)).equals(secret)).toBe(
      true,
    );
  });

  it('refuses a blob moved to another owner or kind, or tampered with', async () => {
    const sealed = await sealPrivateKey(secret, { kind: 'ca', ownerId: 'ca-1' }, ring);
    await expect(openPrivateKey(sealed.sealed, { kind: 'ca', ownerId: 'ca-2' }, ring)).rejects.toThrow(
      /decryption failed/,
    );
    await expect(
      openPrivateKey(sealed.sealed, { kind: 'ocsp-signer', ownerId: 'ca-1' }, ring),
    ).rejects.toThrow(/decryption failed/);
    const value = JSON.parse(sealed.sealed);
    value.d.c = Buffer.from(randomBytes(121)).toString('base64url');
    await expect(
      openPrivateKey(JSON.stringify(value), { kind: 'ca', ownerId: 'ca-1' }, ring),
    ).rejects.toThrow(/decryption failed/);
    await expect(openPrivateKey('nope', { kind: 'ca', ownerId: 'ca-1' }, ring)).rejects.toThrow(/not JSON/);
  });

  it('rewraps under the active master key (body untouched), so the new key alone opens it', async () => {
    const oldKey = new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') });
    const newKey = new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') });
    const owner = { kind: 'ca', ownerId: 'ca-9' };
    const sealed = (await sealPrivateKey(secret, owner, new MasterKeyRing(oldKey))).sealed;
    const rotating = new MasterKeyRing(newKey, [oldKey]);
    const rewrapped = (await rewrapSealedPrivateKey(sealed, owner, rotating))!;
    expect(sealedMasterKeyId(rewrapped)).toBe(newKey.id);
    expect(JSON.parse(rewrapped).d).toEqual(JSON.parse(sealed).d);
    expect((await openPrivateKey(rewrapped, owner, new MasterKeyRing(newKey))).equals(secret)).toBe(true);
    await expect(openPrivateKey(sealed, owner, new MasterKeyRing(newKey))).rejects.toThrow();
    // Already under the active key: nothing to do. Another owner's AAD: refused, not rewrapped.
    expect(await rewrapSealedPrivateKey(rewrapped, owner, rotating)).toBeNull();
    await expect(rewrapSealedPrivateKey(sealed, { kind: 'ca', ownerId: 'ca-8' }, rotating)).rejects.toThrow(
      /decryption failed/,
    );
  });
});
