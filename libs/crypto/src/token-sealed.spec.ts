import { DecryptionError } from './crypto.errors';
import { openWithToken, sealWithNewToken } from './token-sealed';
import { sha256Hex } from './token';

describe('token-sealed (response wrapping)', () => {
  it('opens only with the token it was sealed for', () => {
    const a = sealWithNewToken(Buffer.from('{"password":"p"}'));
    const b = sealWithNewToken(Buffer.from('other'));
    expect(a.token).toMatch(/^mvw_/);
    expect(a.tokenHash).toBe(sha256Hex(a.token));
    expect(a.sealed).not.toContain('password');
    expect(openWithToken(a.token, a.sealed).toString()).toBe('{"password":"p"}');
    expect(() => openWithToken(b.token, a.sealed)).toThrow(DecryptionError);
  });
});
