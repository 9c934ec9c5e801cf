import { randomInt } from 'node:crypto';
import {
  decodeKeyVaultName,
  encodeKeyVaultName,
  fromKeyVaultName,
  toKeyVaultName,
  tryDecodeKeyVaultName,
} from './key-vault-name.codec';
import { InvalidSecretReferenceError } from './secret-store.errors';

describe('Key Vault name codec', () => {
  it.each([
    ['app/db', 'app--db'],
    ['my-app/db', 'my-happ--db'],
    ['App', '-uapp'],
    ['a_b', 'a-x5fb'],
    ['db.password', 'db-x2epassword'],
    ['é', '-xc3-xa9'],
    ['/lead', '--lead'],
    ['x--y', 'x-h-hy'],
  ])('%s <-> %s', (name, encoded) => {
    expect(encodeKeyVaultName(name)).toBe(encoded);
    expect(decodeKeyVaultName(encoded)).toBe(name);
    expect(encoded).toMatch(/^[0-9a-z-]{1,127}$/);
  });

  it('keeps names that differ only in case distinct (Key Vault names are case-insensitive)', () => {
    const a = encodeKeyVaultName('App/DB');
    const b = encodeKeyVaultName('app/db');
    expect(a.toLowerCase()).not.toBe(b.toLowerCase());
    // The vault may hand back any casing: decoding is case-insensitive on the encoded form.
    expect(decodeKeyVaultName(a.toUpperCase())).toBe('App/DB');
  });

  it('round-trips random names over a hostile alphabet and never collides', () => {
    const alphabet = ['a', 'Z', '0', '-', '/', '_', '.', ' ', 'é', '😀', 'h', 'u', 'x', '--'];
    const seen = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const name = Array.from({ length: randomInt(1, 12) }, () => alphabet[randomInt(alphabet.length)]).join(
        '',
      );
      const encoded = encodeKeyVaultName(name);
      expect(decodeKeyVaultName(encoded)).toBe(name);
      const previous = seen.get(encoded.toLowerCase());
      if (previous !== undefined) expect(previous).toBe(name);
      seen.set(encoded.toLowerCase(), name);
    }
  });

  it('rejects names it did not produce and names too long for the vault', () => {
    for (const foreign of ['my-secret', 'a-', '-x6', '-x61', '-u1', '-q'])
      expect(tryDecodeKeyVaultName(foreign)).toBeUndefined();
    expect(() => encodeKeyVaultName('')).toThrow(InvalidSecretReferenceError);
    expect(() => encodeKeyVaultName('_'.repeat(40))).toThrow(/too long/);
  });
});

describe('verbatim naming', () => {
  it('passes Key Vault-native names through and refuses the rest', () => {
    expect(toKeyVaultName('instance-abc123-dburi', 'verbatim')).toBe('instance-abc123-dburi');
    expect(fromKeyVaultName('instance-abc123-dburi', 'verbatim')).toBe('instance-abc123-dburi');
    expect(() => toKeyVaultName('app/db', 'verbatim')).toThrow(/verbatim naming/);
    expect(toKeyVaultName('app/db', 'encoded')).toBe('app--db');
  });
});
