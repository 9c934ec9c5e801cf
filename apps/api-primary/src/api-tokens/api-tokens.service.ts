import { Inject, Injectable } from '@nestjs/common';
import type { CreateApiTokenRequest } from '@mazevault/contracts';
import { generateApiToken } from '@mazevault/crypto';
import { ApiTokenEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { isPermission, PolicyDecisionPoint, type Scope, type Subject } from '@mazevault/rbac';
import { DataSource, IsNull } from 'typeorm';
import { PrincipalService } from '../auth/principal.service';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

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

@Injectable()
export class ApiTokensService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    private readonly pdp: PolicyDecisionPoint,
    private readonly principals: PrincipalService,
  ) {}

  /**
   * A token can never do more than its creator: every permission it asks for must be granted to the
   * creator on the token's scope. The clear token is returned here once and never again.
   */
  async create(creator: Subject, request: CreateApiTokenRequest): Promise<ApiTokenView & { token: string }> {
    if (creator.type !== 'user') throw new ProblemException(403, 'forbidden', 'Only users can create API tokens');
    if (request.expiresInDays > this.config.API_TOKEN_MAX_TTL_DAYS) {
      throw new ProblemException(400, 'validation_failed', `expiresInDays: at most ${this.config.API_TOKEN_MAX_TTL_DAYS}`);
    }
    const unknown = request.permissions.filter((p) => !isPermission(p));
    if (unknown.length) throw new ProblemException(400, 'validation_failed', `permissions: unknown ${unknown.join(', ')}`);
    const scope: Scope = { organizationId: creator.organizationId };
    if (request.projectId) scope.projectId = request.projectId;
    if (request.environmentId) scope.environmentId = request.environmentId;
    for (const permission of request.permissions.filter(isPermission)) {
      const { decision, reason } = this.pdp.evaluate(creator, permission, { type: 'api_token', scope });
      if (!decision) throw new ProblemException(403, 'forbidden', `The token cannot exceed your rights: ${reason}`);
    }
    const generated = generateApiToken();
    const row = await this.dataSource.getRepository(ApiTokenEntity).save({
      organizationId: creator.organizationId,
      ownerUserId: creator.id,
      name: request.name,
      tokenHash: generated.hash,
      displayPrefix: generated.displayPrefix,
      permissions: [...new Set(request.permissions)],
      projectId: request.projectId ?? null,
      environmentId: request.environmentId ?? null,
      expiresAt: new Date(Date.now() + request.expiresInDays * 86_400_000),
      revokedAt: null,
      lastUsedAt: null,
    });
    return { ...toView(row), token: generated.token };
  }

  async list(organizationId: string): Promise<ApiTokenView[]> {
    const rows = await this.dataSource.getRepository(ApiTokenEntity).find({ where: { organizationId }, order: { createdAt: 'DESC' }, take: 1000 });
    return rows.map(toView);
  }

  async revoke(organizationId: string, id: string): Promise<void> {
    const result = await this.dataSource
      .getRepository(ApiTokenEntity)
      .update({ id, organizationId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new ProblemException(404, 'token_not_found', 'No such active API token');
    await this.principals.invalidateAll();
  }
}
