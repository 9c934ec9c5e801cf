import { Inject, Injectable } from '@nestjs/common';
import { API_TOKEN_PREFIX, constantTimeEqual, hashApiToken } from '@mazevault/crypto';
import { ApiTokenEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { isPermission, isRoleName, type RoleBinding, type Scope, type Subject } from '@mazevault/rbac';
import { DataSource, IsNull } from 'typeorm';
import { JwtService } from './jwt.service';

/**
 * Turns a bearer credential into the Subject the policy decision point reasons about: a user from a
 * session JWT, or an API token acting with its owner's bindings narrowed to its own permissions and
 * scope. Returns undefined for anything not currently valid (revoked, expired, disabled owner).
 */
@Injectable()
export class PrincipalService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
  ) {}

  async resolve(bearer: string): Promise<Subject | undefined> {
    return bearer.startsWith(API_TOKEN_PREFIX) ? this.fromApiToken(bearer) : this.fromSession(bearer);
  }

  private async fromSession(jwt: string): Promise<Subject | undefined> {
    const claims = await this.jwt.verify(jwt);
    if (!claims) return undefined;
    const user = await this.activeUser(claims.sub);
    if (!user || user.organizationId !== claims.org) return undefined;
    return { type: 'user', id: user.id, organizationId: user.organizationId, bindings: await this.bindingsOf(user.id) };
  }

  private async fromApiToken(token: string): Promise<Subject | undefined> {
    const hash = hashApiToken(token);
    const row = await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ tokenHash: hash, revokedAt: IsNull() });
    // The index lookup is by digest; compare again in constant time so equality never short-circuits.
    if (!row || !constantTimeEqual(row.tokenHash, hash) || row.expiresAt.getTime() <= Date.now()) return undefined;
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
      expiresAt: row.expiresAt,
    };
  }

  private activeUser(id: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ id, disabledAt: IsNull() });
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
