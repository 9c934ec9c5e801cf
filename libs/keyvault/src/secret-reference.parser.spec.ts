import { formatSecretReference, parseSecretReference } from './secret-reference.parser';
import { InvalidSecretReferenceError } from './secret-store.errors';

describe('parseSecretReference', () => {
  it.each([
    ['azure://vault/app/db', { provider: 'azure', vault: 'vault', name: 'app/db' }],
    ['azure://vault/app/db#username', { provider: 'azure', vault: 'vault', name: 'app/db', key: 'username' }],
    ['azure://vault/app/db?version=v1', { provider: 'azure', vault: 'vault', name: 'app/db', version: 'v1' }],
    [
      'azure://vault/app/db?version=v1#username',
      { provider: 'azure', vault: 'vault', name: 'app/db', version: 'v1', key: 'username' },
    ],
    [
      'azure://vault/app/db#username?version=v1',
      { provider: 'azure', vault: 'vault', name: 'app/db', version: 'v1', key: 'username' },
    ],
    ['AZURE://kv-prod/db', { provider: 'azure', vault: 'kv-prod', name: 'db' }],
    ['postgres://main/team/api-key', { provider: 'postgres', vault: 'main', name: 'team/api-key' }],
    ['app/db', { name: 'app/db' }],
    ['db', { name: 'db' }],
    ['app/db#password', { name: 'app/db', key: 'password' }],
    ['app/db?version=3f2a', { name: 'app/db', version: '3f2a' }],
    ['app/my%20db#a%23b', { name: 'app/my db', key: 'a#b' }],
    ['  app/db  ', { name: 'app/db' }],
  ])('%s', (input, expected) => {
    expect(parseSecretReference(input)).toEqual(expected);
  });

  it.each([
    [''],
    ['azure://'],
    ['azure:///app/db'],
    ['azure://vault'],
    ['azure://vault/'],
    ['app//db'],
    ['app/../db'],
    ['app/db#'],
    ['app/db?version='],
    ['app/db?ver=1'],
    ['app/db?version=1&version=2'],
    ['app/%E0%A4%A'],
  ])('rejects %j', (input) => {
    expect(() => parseSecretReference(input)).toThrow(InvalidSecretReferenceError);
  });

  it('formats back to the canonical form', () => {
    const ref = parseSecretReference('azure://vault/app/my%20db#user?version=v1');
    expect(formatSecretReference(ref)).toBe('azure://vault/app/my%20db?version=v1#user');
    expect(parseSecretReference(formatSecretReference(ref))).toEqual(ref);
  });
});
