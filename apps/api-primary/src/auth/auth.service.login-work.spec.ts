import * as crypto from '@mazevault/crypto';
import type { UserEntity } from '@mazevault/persistence';
import type { DataSource } from 'typeorm';
import { AuthService } from './auth.service';
import type { JwtService } from './jwt.service';
import type { LoginLockoutService } from './login-lockout.service';

jest.mock('@mazevault/crypto', () => {
  const actual = jest.requireActual<typeof crypto>('@mazevault/crypto');
  return { ...actual, verifyPassword: jest.fn(actual.verifyPassword) };
});

/**
 * Emails are unique per organization: an organization admin who creates x@y in its organization and
 * logs in as it must learn nothing about an x@y elsewhere — not from the answer, not from the work.
 * Mocked: the user lookup, JWT and lockout; real: scrypt.
 */
describe('AuthService.login work does not depend on other organizations', () => {
  let hashes: Record<string, string>;
  beforeAll(async () => {
    hashes = {
      mine: await crypto.hashPassword('my password'),
      theirs: await crypto.hashPassword('their password'),
    };
  });
  const account = (id: string, hash: string) =>
    ({ id, organizationId: `org-${id}`, passwordHash: hash, disabledAt: null }) as UserEntity;
  const service = (accounts: UserEntity[]) =>
    new AuthService(
      {
        getRepository: () => ({ find: async ({ take }: { take: number }) => accounts.slice(0, take) }),
      } as unknown as DataSource,
      {
        issue: async (userId: string, org: string) => ({ token: `${userId}@${org}`, expiresAt: new Date(0) }),
      } as unknown as JwtService,
      { beginAttempt: async () => 0, reset: async () => undefined } as unknown as LoginLockoutService,
    );

  it.each([
    ['alone', () => [account('mine', hashes.mine)]],
    [
      'beside an older account elsewhere',
      () => [account('theirs', hashes.theirs), account('mine', hashes.mine)],
    ],
  ])('%s: same answer, two scrypt runs', async (_name, accounts) => {
    const verify = jest.mocked(crypto.verifyPassword);
    verify.mockClear();
    expect((await service(accounts()).login('x@y.test', 'my password')).token).toBe('mine@org-mine');
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockClear();
    await expect(service(accounts()).login('x@y.test', 'wrong')).rejects.toMatchObject({ status: 401 });
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('refuses a password that opens two accounts without naming the organization', async () => {
    const both = [account('a', hashes.mine), account('b', hashes.mine)];
    await expect(service(both).login('x@y.test', 'my password')).rejects.toMatchObject({ status: 401 });
  });
});
