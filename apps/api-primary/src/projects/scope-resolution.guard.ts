import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { attachResolvedScope, resolvedScope, type RequestWithPrincipal } from '@mazevault/rbac';
import { TenantGuardService } from '../secrets/tenant-guard.service';
import { SecretScopeService } from './secret-scope.service';

/**
 * Runs between authentication and authorization and produces the request's one `ResolvedScope`: the
 * caller's organization, and the `:projectId` / `:environmentId` of the route (ids or slugs) looked up
 * inside that organization. Unknown names — and another organization's, which are unknown here —
 * answer 404 before any permission is evaluated on them. Route params are left as the caller sent
 * them; the policy guard, resolvers and services read the frozen scope instead. An instance pinned
 * to one organization (TENANT_ID) refuses every other organization's environment routes (the
 * secrets API) here too, before anything about the named project is looked up.
 */
@Injectable()
export class ScopeResolutionGuard implements CanActivate {
  constructor(
    @Inject(SecretScopeService) private readonly scopes: SecretScopeService,
    @Inject(TenantGuardService) private readonly tenant: TenantGuardService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const principal = request.principal;
    if (!principal) return true;
    const project = request.params?.['projectId'];
    const environment = request.params?.['environmentId'];
    if (!project) {
      attachResolvedScope(request, resolvedScope(principal));
    } else if (environment) {
      await this.tenant.check(principal.organizationId);
      attachResolvedScope(
        request,
        resolvedScope(principal, await this.scopes.resolve(principal.organizationId, project, environment)),
      );
    } else {
      const row = await this.scopes.findProject(principal.organizationId, project);
      attachResolvedScope(request, resolvedScope(principal, { projectId: row.id, projectSlug: row.slug }));
    }
    return true;
  }
}
