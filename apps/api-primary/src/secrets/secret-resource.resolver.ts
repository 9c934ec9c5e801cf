import type { AuthenticatedRequest, Resource } from '@mazevault/rbac';

export type SecretRequest = AuthenticatedRequest & { params: Record<string, string>; enforceSecretScopes?: boolean };

/**
 * The resource a secrets route acts on: the secret path inside its environment. With
 * SECRETS_ENFORCE_SCOPES=false the decision is taken at organization level only.
 */
export function secretResource(request: AuthenticatedRequest): Resource {
  const { params, enforceSecretScopes } = request as SecretRequest;
  const organizationId = request.principal.organizationId;
  if (enforceSecretScopes === false) return { type: 'secret', id: params['*'], scope: { organizationId } };
  return {
    type: 'secret',
    id: params['*'],
    scope: { organizationId, projectId: params['projectId'], environmentId: params['environmentId'] },
  };
}
