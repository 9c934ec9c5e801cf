import { generateApiToken } from '@mazevault/crypto';
import { ApiTokenEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import type { DataSource } from 'typeorm';
import type { CacheInvalidationBus, Clock } from '@mazevault/platform';
import type { PrimaryConfig } from '../config/primary.config';
import type { JwtService, SessionClaims } from './jwt.service';
import { PrincipalService } from './principal.service';

/**
 * Unit: the database, the JWT verifier and the invalidation bus are in-memory stand-ins; what is
 * real is the service's own logic (token cap, narrowing, cache). Time moves by setting Date.now.
 */
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const ORG = '00000000-0000-4000-8000-00000000000a';
const USER = '00000000-0000-4000-8000-000000000001';

interface Rows {
  users: Partial<UserEntity>[];
  tokens: Partial<ApiTokenEntity>[];
  bindings: Partial<RoleBindingEntity>[];
}

function setup(rows: Partial<Rows> = {}, claims: SessionClaims | undefined = undefined) {
  const data: Rows = {
    users: [{ id: USER, organizationId: ORG, platformAdmin: false }],
    tokens: [],
    bindings: [
      { userId: USER, roleName: 'developer', organizationId: ORG, projectId: 'p1', environmentId: null },
      { userId: USER, roleName: 'no-such-role', organizationId: ORG, projectId: null, environmentId: null },
    ],
    ...rows,
  };
  const queries: string[] = [];
  const repositories = new Map<unknown, object>([
    [
      UserEntity,
      {
        findOne: async ({ where }: { where: { id: string } }) => (
          queries.push('user'),
          data.users.find((u) => u.id === where.id) ?? null
        ),
      },
    ],
    [
      ApiTokenEntity,
      {
        findOneBy: async ({ tokenHash }: { tokenHash: string }) => (
          queries.push('token'),
          data.tokens.find((t) => t.tokenHash === tokenHash) ?? null
        ),
      },
    ],
    [
      RoleBindingEntity,
      {
        findBy: async ({ userId }: { userId: string }) => (
          queries.push('bindings'),
          data.bindings.filter((b) => b.userId === userId)
        ),
      },
    ],
  ]);
  const dataSource = {
    getRepository: (entity: unknown) => repositories.get(entity),
  } as unknown as DataSource;
  const jwt = { verify: jest.fn(async () => claims) } as unknown as JwtService;
  const handlers = new Map<string, (key: string) => void>();
  const bus = {
    on: (namespace: string, handler: (key: string) => void) => handlers.set(namespace, handler),
    invalidate: jest.fn(async (namespace: string, key: string) => handlers.get(namespace)?.(key)),
  } as unknown as CacheInvalidationBus;
  // The clock reads Date.now, which each test moves.
  const clock: Clock = { now: () => new Date(Date.now()) };
  const service = new PrincipalService(
    dataSource,
    jwt,
    bus,
    { API_TOKEN_MAX_TTL_DAYS: 90 } as PrimaryConfig,
    clock,
  );
  service.onModuleInit();
  return { service, data, queries, jwt };
}

function token(fields: Partial<ApiTokenEntity> = {}) {
  const generated = generateApiToken();
  const row: Partial<ApiTokenEntity> = {
    id: 'token-1',
    tokenHash: generated.hash,
    organizationId: ORG,
    projectId: 'p1',
    environmentId: null,
    ownerUserId: USER,
    permissions: ['secrets:read', 'not:a-permission'],
    createdAt: new Date(NOW - DAY),
    expiresAt: new Date(NOW + 30 * DAY),
    revokedAt: null,
    ...fields,
  };
  return { bearer: generated.token, row };
}

describe('PrincipalService', () => {
  let now = NOW;
  beforeEach(() => {
    now = NOW;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it("resolves an API token to its owner's bindings narrowed to the token's permissions and scope", async () => {
    const { bearer, row } = token();
    const { service } = setup({ tokens: [row] });
    expect(await service.resolve(bearer)).toEqual({
      type: 'api_token',
      id: 'token-1',
      organizationId: ORG,
      bindings: [{ role: 'developer', scope: { organizationId: ORG, projectId: 'p1' } }],
      tokenPermissions: ['secrets:read'],
      tokenScope: { organizationId: ORG, projectId: 'p1' },
      expiresAt: row.expiresAt,
    });
  });

  it('caps a token at API_TOKEN_MAX_TTL_DAYS from its creation, whatever its row says', async () => {
    const { bearer, row } = token({
      createdAt: new Date(NOW - 100 * DAY),
      expiresAt: new Date(NOW + 365 * DAY),
    });
    expect(await setup({ tokens: [row] }).service.resolve(bearer)).toBeUndefined();

    const young = token({ createdAt: new Date(NOW - 10 * DAY), expiresAt: new Date(NOW + 365 * DAY) });
    const subject = await setup({ tokens: [young.row] }).service.resolve(young.bearer);
    expect(subject?.expiresAt).toEqual(new Date(NOW + 80 * DAY));
  });

  it('refuses an unknown token, an expired one and one whose owner is disabled, and caches none of them', async () => {
    const { bearer, row } = token();
    const unknown = setup();
    expect(await unknown.service.resolve(bearer)).toBeUndefined();
    expect(await unknown.service.resolve(bearer)).toBeUndefined();
    expect(unknown.queries).toEqual(['token', 'token']);

    const expired = token({ expiresAt: new Date(NOW) });
    expect(await setup({ tokens: [expired.row] }).service.resolve(expired.bearer)).toBeUndefined();

    // The user lookup filters disabled users and organizations: a disabled owner is not found.
    expect(await setup({ tokens: [row], users: [] }).service.resolve(bearer)).toBeUndefined();
  });

  it('resolves a session to its user, refusing a user moved to another organization', async () => {
    const claims = { sub: USER, org: ORG, exp: NOW / 1000 + 600, issuedAtMs: NOW - 1000 } as SessionClaims;
    const { service } = setup({}, claims);
    expect(await service.resolve('a.session.jwt')).toMatchObject({
      type: 'user',
      id: USER,
      organizationId: ORG,
      platformAdmin: false,
      expiresAt: new Date(NOW + 600_000),
    });
    const moved = setup({}, { ...claims, org: '00000000-0000-4000-8000-00000000000b' });
    expect(await moved.service.resolve('a.session.jwt')).toBeUndefined();
    expect(await setup({}, undefined).service.resolve('not.a.jwt')).toBeUndefined();
  });

  it('reuses a resolved principal until it expires or is invalidated', async () => {
    const { bearer, row } = token({ expiresAt: new Date(NOW + 2_000) });
    const { service, queries } = setup({ tokens: [row] });
    const first = await service.resolve(bearer);
    expect(await service.resolve(bearer)).toBe(first);
    expect(queries.filter((q) => q === 'token')).toHaveLength(1);

    await service.invalidateAll();
    await service.resolve(bearer);
    expect(queries.filter((q) => q === 'token')).toHaveLength(2);

    now = NOW + 2_000; // the token's own expiry, inside the cache's TTL: not served from the cache
    expect(await service.resolve(bearer)).toBeUndefined();
    expect(queries.filter((q) => q === 'token')).toHaveLength(3);
  });
});
