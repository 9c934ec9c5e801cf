import { childrenUnder, insideAllowedMounts, normalizePrefix, validateSecretPath } from './secret-path.util';

describe('secret paths', () => {
  it.each(['app/db', 'a', 'app/db-main/tls.key', 'A_b/c'])('accepts %s', (path) => {
    expect(validateSecretPath(path)).toBe(path);
  });

  it.each(['', '/app', 'app/', 'app//db', 'app/../db', '.', 'app/./db', 'app/d b', 'app/ü', 'x'.repeat(513)])(
    'refuses %j',
    (path) => {
      expect(() => validateSecretPath(path)).toThrow(/Secret paths are/);
    },
  );

  it('lists immediate children like directories', () => {
    const paths = ['app/db', 'app/api/key', 'app/api/cert', 'other/x', 'application/y'];
    expect(childrenUnder('app/', paths)).toEqual(['api/', 'db']);
    expect(childrenUnder('', paths)).toEqual(['app/', 'application/', 'other/']);
    expect(childrenUnder(normalizePrefix('app/api'), paths)).toEqual(['cert', 'key']);
  });

  it('restricts to allowed mounts by whole segments', () => {
    expect(insideAllowedMounts('app/db', [])).toBe(true);
    expect(insideAllowedMounts('app/db', ['app'])).toBe(true);
    expect(insideAllowedMounts('application/db', ['app'])).toBe(false);
    expect(insideAllowedMounts('shared/tls/key', ['app/', 'shared/tls'])).toBe(true);
  });
});
