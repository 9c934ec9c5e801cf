import {
  type AuthenticatedRequest,
  narrowestListResource,
  PolicyDecisionPoint,
  type Resource,
  type ResolverServices,
} from '@mazevault/rbac';
import { resolvedScopeOf } from '../projects/request-scope.util';
import { ApiTokensService } from './api-tokens.service';

/**
 * `tokens:manage` is evaluated where the token lives, so a project admin manages its project's
 * tokens without any organization-level right. Unknown projects, environments and tokens resolve to
 * the organization: the check then runs there and the handler's own 404 answers the rest.
 */
export async function requestedTokenResource(
  request: AuthenticatedRequest,
  services: ResolverServices,
): Promise<Resource> {
  const body = (request.body ?? {}) as { projectId?: unknown; environmentId?: unknown };
  const project = typeof body.projectId === 'string' ? body.projectId : undefined;
  const environment = typeof body.environmentId === 'string' ? body.environmentId : undefined;
  const { organizationId } = resolvedScopeOf(request);
  const scope = await services.get(ApiTokensService).findScope(organizationId, project, environment);
  return { type: 'api_token', scope: scope ?? { organizationId } };
}

export async function existingTokenResource(
  request: AuthenticatedRequest,
  services: ResolverServices,
): Promise<Resource> {
  const id = request.params?.['tokenId'] ?? '';
  const { organizationId } = resolvedScopeOf(request);
  const scope = await services.get(ApiTokensService).scopeOf(organizationId, id);
  return { type: 'api_token', ...(id ? { id } : {}), scope: scope ?? { organizationId } };
}

/** The list admits anyone holding tokens:manage somewhere; the service then filters row by row. */
export function tokenListResource(request: AuthenticatedRequest, services: ResolverServices): Resource {
  return narrowestListResource(
    services.get(PolicyDecisionPoint),
    request.principal,
    'tokens:manage',
    'api_token',
  );
}
