import { dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { constantTimeEqual } from './constant-time';
import { generateApiToken, hashApiToken } from './token';
import { maskReference } from './hmac';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct hors', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toEqual(await hashPassword('same'));
  });

  it('rejects malformed encodings instead of throwing', async () => {
    await expect(verifyPassword('x', 'plain')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$0$8$1$AA==$AA==')).resolves.toBe(false);
  });

  it('has a dummy hash that no ordinary password matches', async () => {
    await expect(verifyPassword('', await dummyPasswordHash())).resolves.toBe(false);
  });
});

describe('tokens and masking', () => {
  it('compares in constant time, including different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('generates unique prefixed tokens whose hash is stable', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    expect(a.token).toMatch(/^mvt_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toEqual(b.token);
    expect(hashApiToken(a.token)).toEqual(a.hash);
    expect(a.token.startsWith(a.displayPrefix)).toBe(true);
  });

  it('masks references with the tenant salt only when set', () => {
    expect(maskReference('app/db', undefined)).toBe('app/db');
    const masked = maskReference('app/db', 'salt-1');
    expect(masked).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(masked).toEqual(maskReference('app/db', 'salt-1'));
    expect(masked).not.toEqual(maskReference('app/db', 'salt-2'));
  });
});
