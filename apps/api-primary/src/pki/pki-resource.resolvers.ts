import type { AuthenticatedRequest, Resource, ResolverServices } from '@mazevault/rbac';
import { resolvedScopeOf } from '../projects/request-scope.util';
import { SecretScopeService } from '../projects/secret-scope.service';
import { CertificateProfilesService } from './certificate-profiles.service';
import { CertificatesService } from './certificates.service';
import { rememberCertificate, rememberProfile } from './pki-request.util';

/**
 * PKI resources carry the scope of the profile they belong to: a profile scoped to a project lets
 * that project's admins issue under it and revoke what it issued; an organization-wide profile (or a
 * certificate without one) needs the permission organization-wide. Unknown names resolve to the
 * organization, so the handler's own 404 answers them (after an organization-level check).
 */
function scoped(
  organizationId: string,
  projectId: string | null | undefined,
  type: string,
  id?: string,
): Resource {
  return {
    type,
    ...(id ? { id } : {}),
    scope: projectId ? { organizationId, projectId } : { organizationId },
  };
}

export async function certificateResource(
  request: AuthenticatedRequest,
  services: ResolverServices,
): Promise<Resource> {
  const { organizationId } = resolvedScopeOf(request);
  const serial = request.params?.['serial'] ?? '';
  const found = await services.get(CertificatesService).lookup(organizationId, serial);
  if (found) rememberCertificate(request, found.certificate);
  return scoped(organizationId, found?.projectId, 'certificate', serial);
}

/**
 * Issuing under a project's profile may name one of that project's environments (`environment`):
 * the check then runs on the environment, so a caller bound to that environment alone may issue, and
 * the project-level binding still covers it. An unknown environment answers 404 (like a route's).
 */
export async function profileResource(
  request: AuthenticatedRequest,
  services: ResolverServices,
): Promise<Resource> {
  const { organizationId } = resolvedScopeOf(request);
  const body = request.body as { profile?: unknown; environment?: unknown } | undefined;
  const profile = typeof body?.profile === 'string' ? body.profile : undefined;
  const resolved = profile
    ? await services.get(CertificateProfilesService).resolveIfExists(organizationId, profile)
    : undefined;
  if (resolved) rememberProfile(request, resolved);
  const projectId = resolved?.row.projectId ?? null;
  const resource = scoped(organizationId, projectId, 'certificate_profile', profile);
  if (projectId && typeof body?.environment === 'string') {
    const { environmentId } = await services
      .get(SecretScopeService)
      .resolve(organizationId, projectId, body.environment);
    resource.scope = { organizationId, projectId, environmentId };
  }
  return resource;
}
