import type { AuthenticatedRequest } from '@mazevault/rbac';
import type { Actor } from './certificate-authorities.service';

export function actorOf(request: AuthenticatedRequest): Actor {
  return {
    organizationId: request.principal.organizationId,
    type: request.principal.type,
    id: request.principal.id,
    requestId: (request as { id?: string }).id ?? null,
  };
}
