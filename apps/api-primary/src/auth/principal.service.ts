import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '@mazevault/platform';
import { API_TOKEN_PREFIX, constantTimeEqual, hashApiToken, sha256Hex } from '@mazevault/crypto';
import { ApiTokenEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { isPermission, isRoleName, type RoleBinding, type Scope, type Subject } from '@mazevault/rbac';
import { CacheInvalidationBus, TtlCache } from '@mazevault/platform';
import { DataSource, IsNull } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { JwtService } from './jwt.service';

/** How long a resolved principal is reused; revocations also clear it at once (see invalidateAll). */
const PRINCIPAL_TTL_MS = 5_000;
export const PRINCIPAL_CACHE = 'principal';

/**
 * Turns a bearer credential into the Subject the policy decision point reasons about: a user from a
 * session JWT, or an API token acting with its owner's bindings narrowed to its own permissions and
 * scope. Returns undefined for anything not currently valid (revoked, expired, disabled owner).
 *
 * Resolved principals are cached for a few seconds (by a digest of the credential): resolving costs
 * three queries, and every request needs it. Anything that can shrink a principal's rights (revoke,
 * disable, unbind) calls `invalidateAll`, which clears this replica at once and the others by pub/sub.
 */
@Injectable()
export class PrincipalService implements OnModuleInit {
  private readonly cache = new TtlCache<Subject | null>(PRINCIPAL_TTL_MS, 50_000);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly bus: CacheInvalidationBus,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.on(PRINCIPAL_CACHE, () => this.cache.clear());
  }

  async resolve(bearer: string): Promise<Subject | undefined> {
    const key = sha256Hex(bearer);
    const cached = this.cache.get(key);
    if (cached) {
      if (!cached.expiresAt || cached.expiresAt.getTime() > this.clock.now().getTime()) return cached;
      this.cache.delete(key);
    }
    // Requests carrying one credential that all miss at once (its entry just expired) share one lookup.
    const subject = await this.cache.getOrLoad(
      key,
      async () =>
        (bearer.startsWith(API_TOKEN_PREFIX)
          ? await this.fromApiToken(bearer)
          : await this.fromSession(bearer)) ?? null,
      (found) => found !== null,
    );
    return subject ?? undefined;
  }

  /** Call after any change that can reduce what an existing credential may do. */
  invalidateAll(): Promise<void> {
    return this.bus.invalidate(PRINCIPAL_CACHE, '*');
  }

  private async fromSession(jwt: string): Promise<Subject | undefined> {
    const claims = await this.jwt.verify(jwt);
    if (!claims) return undefined;
    const user = await this.activeUser(claims.sub);
    if (!user || user.organizationId !== claims.org) return undefined;
    // Logged out, or the password changed, after this session was issued.
    if (user.sessionsNotBefore && claims.issuedAtMs < user.sessionsNotBefore.getTime()) return undefined;
    return {
      type: 'user',
      id: user.id,
      organizationId: user.organizationId,
      bindings: await this.bindingsOf(user.id),
      expiresAt: new Date(claims.exp * 1000),
      platformAdmin: user.platformAdmin,
    };
  }

  private async fromApiToken(token: string): Promise<Subject | undefined> {
    const hash = hashApiToken(token);
    const row = await this.dataSource
      .getRepository(ApiTokenEntity)
      .findOneBy({ tokenHash: hash, revokedAt: IsNull() });
    // The index lookup is by digest; compare again in constant time so equality never short-circuits.
    if (!row || !constantTimeEqual(row.tokenHash, hash)) return undefined;
    // API_TOKEN_MAX_TTL_DAYS caps a token's life from its creation whatever its row says (a row
    // written around the API, or created under a longer cap since lowered).
    const cap = row.createdAt.getTime() + this.config.API_TOKEN_MAX_TTL_DAYS * 86_400_000;
    const expiresAt = new Date(Math.min(row.expiresAt.getTime(), cap));
    if (expiresAt.getTime() <= this.clock.now().getTime()) return undefined;
    const owner = await this.activeUser(row.ownerUserId);
    if (!owner) return undefined;
    const tokenScope: Scope = { organizationId: row.organizationId };
    if (row.projectId) tokenScope.projectId = row.projectId;
    if (row.environmentId) tokenScope.environmentId = row.environmentId;
    return {
      type: 'api_token',
      id: row.id,
      organizationId: row.organizationId,
      bindings: await this.bindingsOf(owner.id),
      tokenPermissions: row.permissions.filter(isPermission),
      tokenScope,
      expiresAt,
    };
  }

  /** The user, if neither it nor its organization is disabled. */
  private activeUser(id: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({
      where: { id, disabledAt: IsNull(), organization: { disabledAt: IsNull() } },
      relations: { organization: true },
    });
  }

  private async bindingsOf(userId: string): Promise<RoleBinding[]> {
    const rows = await this.dataSource.getRepository(RoleBindingEntity).findBy({ userId });
    return rows.flatMap((row) => {
      if (!isRoleName(row.roleName)) return [];
      const scope: Scope = { organizationId: row.organizationId };
      if (row.projectId) scope.projectId = row.projectId;
      if (row.environmentId) scope.environmentId = row.environmentId;
      return [{ role: row.roleName, scope }];
    });
  }
}
