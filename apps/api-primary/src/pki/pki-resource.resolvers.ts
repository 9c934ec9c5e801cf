import type { AuthenticatedRequest, Resource, ResolverServices } from '@mazevault/rbac';
import { CertificateProfilesService } from './certificate-profiles.service';
import { CertificatesService } from './certificates.service';

/**
 * PKI resources carry the scope of the profile they belong to: a profile scoped to a project lets
 * that project's admins issue under it and revoke what it issued; an organization-wide profile (or a
 * certificate without one) needs the permission organization-wide. Unknown names resolve to the
 * organization, so the handler's own 404 answers them (after an organization-level check).
 */
function scoped(organizationId: string, projectId: string | null | undefined, type: string, id?: string): Resource {
  return { type, ...(id ? { id } : {}), scope: projectId ? { organizationId, projectId } : { organizationId } };
}

export async function certificateResource(request: AuthenticatedRequest, services: ResolverServices): Promise<Resource> {
  const organizationId = request.principal.organizationId;
  const serial = request.params?.['serial'] ?? '';
  const projectId = await services.get(CertificatesService).projectOf(organizationId, serial);
  return scoped(organizationId, projectId, 'certificate', serial);
}

export async function profileResource(request: AuthenticatedRequest, services: ResolverServices): Promise<Resource> {
  const organizationId = request.principal.organizationId;
  const profile = (request.body as { profile?: unknown } | undefined)?.profile;
  const projectId = typeof profile === 'string' ? await services.get(CertificateProfilesService).projectOf(organizationId, profile) : null;
  return scoped(organizationId, projectId, 'certificate_profile', typeof profile === 'string' ? profile : undefined);
}
