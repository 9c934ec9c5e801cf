import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { DecryptionError } from './crypto.errors';
import { decryptFromSender, encryptForRecipient, generateE2eeKeyPair } from './e2ee-jwe';

/**
 * Runs jose (ESM only, unloadable inside this Jest setup) in a plain Node child process, which loads
 * it natively, to prove the hand-assembled JWE is interoperable in both directions.
 */
function jose(script: string, input: object): string {
  const wrapped = `const jose = require('jose');
    const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => { ${script} })().then((out) => process.stdout.write(out), (e) => { console.error(e); process.exit(1); });`;
  return execFileSync(process.execPath, ['-e', wrapped], {
    input: JSON.stringify(input),
    cwd: __dirname,
    encoding: 'utf8',
  });
}

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

  it('interoperates with jose CompactEncrypt / compactDecrypt in both directions', async () => {
    const { publicJwk, privateJwk } = generateE2eeKeyPair('P-256');
    const ours = await encryptForRecipient('from mazevault', publicJwk, { kid: 'k1' });
    const decryptedByJose = jose(
      `const key = await jose.importJWK(input.privateJwk, 'ECDH-ES+A256KW');
       const { plaintext, protectedHeader } = await jose.compactDecrypt(input.jwe, key);
       return new TextDecoder().decode(plaintext) + '|' + protectedHeader.kid;`,
      { privateJwk, jwe: ours },
    );
    expect(decryptedByJose).toBe('from mazevault|k1');

    const theirs = jose(
      `const key = await jose.importJWK(input.publicJwk, 'ECDH-ES+A256KW');
       return new jose.CompactEncrypt(new TextEncoder().encode('from jose'))
         .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' }).encrypt(key);`,
      { publicJwk },
    );
    expect(
      (
        await decryptFromSender(theirs, createPrivateKey({ key: privateJwk, format: 'jwk' }))
      ).plaintext.toString(),
    ).toBe('from jose');
    // A public KeyObject derived from the private JWK encrypts to the same recipient.
    const again = await encryptForRecipient('x', createPublicKey({ key: privateJwk, format: 'jwk' }));
    expect((await decryptFromSender(again, privateJwk)).plaintext.toString()).toBe('x');
  });
});
