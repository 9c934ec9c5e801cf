import { generateKeyPairSync } from 'node:crypto';
import { DecryptionError } from './crypto.errors';
import { decryptFromSender, encryptForRecipient, generateE2eeKeyPair } from './e2ee-jwe';

describe('E2EE JWE (ECDH-ES+A256KW / A256GCM)', () => {
  it.each(['P-256', 'P-384', 'P-521', 'X25519'] as const)(
    'round-trips on %s with JWK keys',
    async (curve) => {
      const { publicJwk, privateJwk } = generateE2eeKeyPair(curve);
      const jwe = await encryptForRecipient('top secret', publicJwk, {
        kid: 'device-1',
        contentType: 'text/plain',
      });
      expect(jwe.split('.')).toHaveLength(5);
      expect(jwe).not.toContain('top secret');
      const header = JSON.parse(Buffer.from(jwe.split('.')[0], 'base64url').toString());
      expect(header).toMatchObject({
        alg: 'ECDH-ES+A256KW',
        enc: 'A256GCM',
        kid: 'device-1',
        cty: 'text/plain',
      });
      const out = await decryptFromSender(jwe, privateJwk);
      expect(out).toEqual({
        plaintext: Buffer.from('top secret'),
        kid: 'device-1',
        contentType: 'text/plain',
      });
    },
  );

  it('accepts KeyObjects', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwe = await encryptForRecipient(Buffer.from([1, 2, 3]), publicKey);
    expect((await decryptFromSender(jwe, privateKey)).plaintext).toEqual(Buffer.from([1, 2, 3]));
  });

  it('rejects the wrong private key, a tampered token and a downgraded header', async () => {
    const alice = generateE2eeKeyPair();
    const mallory = generateE2eeKeyPair();
    const jwe = await encryptForRecipient('hi', alice.publicJwk);
    await expect(decryptFromSender(jwe, mallory.privateJwk)).rejects.toThrow(DecryptionError);
    await expect(decryptFromSender(jwe, generateE2eeKeyPair('P-384').privateJwk)).rejects.toThrow(
      DecryptionError,
    );

    const parts = jwe.split('.');
    const tag = Buffer.from(parts[4], 'base64url');
    tag[0] ^= 1;
    await expect(
      decryptFromSender([...parts.slice(0, 4), tag.toString('base64url')].join('.'), alice.privateJwk),
    ).rejects.toThrow(DecryptionError);
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const downgraded = Buffer.from(JSON.stringify({ ...header, alg: 'ECDH-ES' })).toString('base64url');
    await expect(
      decryptFromSender([downgraded, ...parts.slice(1)].join('.'), alice.privateJwk),
    ).rejects.toThrow(DecryptionError);
    await expect(decryptFromSender('a.b.c', alice.privateJwk)).rejects.toThrow(DecryptionError);
  });
});
