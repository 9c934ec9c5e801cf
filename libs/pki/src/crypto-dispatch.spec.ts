import { generateKeyPairSync } from 'node:crypto';
import { oneShotSign, oneShotVerify, runCryptoInline } from './crypto-dispatch';

describe.each([
  ['on the thread pool', false],
  ['inline', true],
])('one-shot sign/verify %s', (_mode, inline) => {
  beforeAll(() => runCryptoInline(inline));
  afterAll(() => runCryptoInline(false));

  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from('to be signed');

  it('signs what verifies, and nothing else does', async () => {
    const signature = await oneShotSign('sha256', data, privateKey);
    expect(await oneShotVerify('sha256', data, publicKey, signature)).toBe(true);
    expect(await oneShotVerify('sha256', Buffer.from('to be signed!'), publicKey, signature)).toBe(false);
  });

  it('answers false, not an error, for a signature the library cannot parse', async () => {
    expect(await oneShotVerify('sha256', data, publicKey, Buffer.from('not DER at all'))).toBe(false);
  });

  it('rejects a sign call the library refuses', async () => {
    await expect(oneShotSign('no-such-digest', data, privateKey)).rejects.toThrow();
  });
});
