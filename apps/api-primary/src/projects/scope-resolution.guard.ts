import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { RequestWithPrincipal } from '@mazevault/rbac';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { SecretScopeService } from './secret-scope.service';

/**
 * Runs between authentication and authorization: turns `:projectId` / `:environmentId` route params
 * given as slugs into ids (bindings are stored by id), so the policy decision point compares like
 * with like. Unknown names answer 404 here, before any permission is evaluated on them.
 */
@Injectable()
export class ScopeResolutionGuard implements CanActivate {
  constructor(
    @Inject(SecretScopeService) private readonly scopes: SecretScopeService,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal & { enforceSecretScopes?: boolean }>();
    request.enforceSecretScopes = this.config.SECRETS_ENFORCE_SCOPES;
    const params = request.params;
    if (!request.principal || !params?.['projectId']) return true;
    if (params['environmentId']) {
      const scope = await this.scopes.resolve(request.principal.organizationId, params['projectId'], params['environmentId']);
      params['projectId'] = scope.projectId;
      params['environmentId'] = scope.environmentId;
    } else {
      params['projectId'] = await this.scopes.resolveProject(request.principal.organizationId, params['projectId']);
    }
    return true;
  }
}
