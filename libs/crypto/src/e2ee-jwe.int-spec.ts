import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
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

describe('E2EE JWE interoperability (a second Node process running jose)', () => {
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
