import { Inject, Injectable } from '@nestjs/common';
import type { CreateApiTokenRequest } from '@mazevault/contracts';
import { generateApiToken } from '@mazevault/crypto';
import { ApiTokenEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { isPermission, PolicyDecisionPoint, type Scope, type Subject } from '@mazevault/rbac';
import { DataSource, IsNull } from 'typeorm';
import { PrincipalService } from '../auth/principal.service';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { SecretScopeService } from '../projects/secret-scope.service';

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  projectId: string | null;
  environmentId: string | null;
  expiresAt: string;
  revoked: boolean;
  createdAt: string;
}

const toView = (row: ApiTokenEntity): ApiTokenView => ({
  id: row.id,
  name: row.name,
  prefix: row.displayPrefix,
  permissions: row.permissions,
  projectId: row.projectId,
  environmentId: row.environmentId,
  expiresAt: row.expiresAt.toISOString(),
  revoked: row.revokedAt !== null,
  createdAt: row.createdAt.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function scopeOfRow(row: ApiTokenEntity): Scope {
  const scope: Scope = { organizationId: row.organizationId };
  if (row.projectId) scope.projectId = row.projectId;
  if (row.environmentId) scope.environmentId = row.environmentId;
  return scope;
}

@Injectable()
export class ApiTokensService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    private readonly pdp: PolicyDecisionPoint,
    private readonly principals: PrincipalService,
    private readonly scopes: SecretScopeService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The scope a token would get, its project and environment checked to be this organization's; undefined if not. */
  async findScope(
    organizationId: string,
    projectId?: string,
    environmentId?: string,
  ): Promise<Scope | undefined> {
    if (!projectId) return environmentId ? undefined : { organizationId };
    try {
      if (!environmentId)
        return { organizationId, projectId: await this.scopes.resolveProject(organizationId, projectId) };
      const { projectId: project, environmentId: environment } = await this.scopes.resolve(
        organizationId,
        projectId,
        environmentId,
      );
      return { organizationId, projectId: project, environmentId: environment };
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 404) return undefined;
      throw error;
    }
  }

  /** The scope of one of the organization's tokens, or undefined. */
  async scopeOf(organizationId: string, id: string): Promise<Scope | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ id, organizationId });
    return row ? scopeOfRow(row) : undefined;
  }

  /**
   * A token can never do more than its creator: every permission it asks for must be granted to the
   * creator on the token's scope. The clear token is returned here once and never again.
   */
  async create(creator: Subject, request: CreateApiTokenRequest): Promise<ApiTokenView & { token: string }> {
    if (creator.type !== 'user')
      throw new ProblemException(403, 'forbidden', 'Only users can create API tokens');
    if (request.expiresInDays > this.config.API_TOKEN_MAX_TTL_DAYS) {
      throw new ProblemException(
        400,
        'validation_failed',
        `expiresInDays: at most ${this.config.API_TOKEN_MAX_TTL_DAYS}`,
      );
    }
    const unknown = request.permissions.filter((p) => !isPermission(p));
    if (unknown.length)
      throw new ProblemException(400, 'validation_failed', `permissions: unknown ${unknown.join(', ')}`);
    const scope = await this.findScope(creator.organizationId, request.projectId, request.environmentId);
    if (!scope)
      throw new ProblemException(
        404,
        'scope_not_found',
        'No such project or environment in this organization',
      );
    for (const permission of request.permissions.filter(isPermission)) {
      const { decision, reason } = this.pdp.evaluate(creator, permission, { type: 'api_token', scope });
      if (!decision)
        throw new ProblemException(403, 'forbidden', `The token cannot exceed your rights: ${reason}`);
    }
    const generated = generateApiToken();
    const row = await this.dataSource.getRepository(ApiTokenEntity).save({
      organizationId: creator.organizationId,
      ownerUserId: creator.id,
      name: request.name,
      tokenHash: generated.hash,
      displayPrefix: generated.displayPrefix,
      permissions: [...new Set(request.permissions)],
      projectId: scope.projectId ?? null,
      environmentId: scope.environmentId ?? null,
      expiresAt: new Date(this.clock.now().getTime() + request.expiresInDays * 86_400_000),
      revokedAt: null,
      lastUsedAt: null,
    });
    return { ...toView(row), token: generated.token };
  }

  /** The organization's tokens the caller may manage: every one for an org-level grant, else those in its projects/environments. */
  async list(caller: Subject): Promise<ApiTokenView[]> {
    const rows = await this.dataSource
      .getRepository(ApiTokenEntity)
      .find({ where: { organizationId: caller.organizationId }, order: { createdAt: 'DESC' }, take: 1000 });
    return rows
      .filter(
        (row) =>
          this.pdp.evaluate(caller, 'tokens:manage', { type: 'api_token', scope: scopeOfRow(row) }).decision,
      )
      .map(toView);
  }

  /** The route has checked tokens:manage on this token's own scope. */
  async revoke(organizationId: string, id: string): Promise<void> {
    const result = await this.dataSource
      .getRepository(ApiTokenEntity)
      .update({ id, organizationId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
    if (!result.affected) throw new ProblemException(404, 'token_not_found', 'No such active API token');
    await this.principals.invalidateAll();
  }
}
