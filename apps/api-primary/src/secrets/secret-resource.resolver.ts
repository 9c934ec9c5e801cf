import { type AuthenticatedRequest, placeOf, type Resource, type ResolverServices } from '@mazevault/rbac';
import { environmentScopeOf } from '../projects/request-scope.util';
import { SecretScopeService } from '../projects/secret-scope.service';

export type SecretRequest = AuthenticatedRequest & { params: Record<string, string> };

/**
 * The resource a secrets route acts on: the secret path inside its resolved environment. With
 * SECRETS_ENFORCE_SCOPES=false the decision is taken at organization level only.
 */
export function secretResource(request: AuthenticatedRequest, services: ResolverServices): Resource {
  const scope = environmentScopeOf(request);
  const id = (request as SecretRequest).params['*'];
  if (!services.get(SecretScopeService).enforceSecretScopes)
    return { type: 'secret', id, scope: { organizationId: scope.organizationId } };
  return { type: 'secret', id, scope: placeOf(scope) };
}
