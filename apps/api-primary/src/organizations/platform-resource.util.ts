import type { AuthenticatedRequest, Resource } from '@mazevault/rbac';

/**
 * A platform-wide action (see `Resource.platform`): the PDP admits only a platform admin, and checks
 * the permission on the caller's own organization, where its bindings live.
 */
export function platformResource(request: AuthenticatedRequest, type = 'organization'): Resource {
  return { type, platform: true, scope: { organizationId: request.principal.organizationId } };
}

/**
 * An action inside `organizationId`: an ordinary organization-scoped check in the caller's own
 * organization, a platform-wide one anywhere else.
 */
export function organizationResource(
  request: AuthenticatedRequest,
  organizationId: string | undefined,
  type = 'organization',
): Resource {
  const own = request.principal.organizationId;
  if (organizationId === undefined || organizationId === own) return { type, scope: { organizationId: own } };
  return platformResource(request, type);
}
