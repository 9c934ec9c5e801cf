import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestWithPrincipal } from '@mazevault/rbac';
import { AUDITED_KEY, type AuditSpec } from './audited.decorator';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type AuditableRequest = RequestWithPrincipal & {
  id?: string;
  method: string;
  auditSpec?: AuditSpec;
  /** The handler's result, kept for a result-derived audit reference (see the audit response hook). */
  auditResult?: unknown;
  routeOptions?: { url?: string };
  /** The organization an unauthenticated call concerns (a login, an unwrap), for the audit log. */
  auditOrganizationId?: string;
};

/**
 * Files this call's audit event under `organizationId` when no principal does (a login, an unwrap):
 * so the organization's admins see it; events with no organization at all are for platform admins.
 */
export function attributeAuditTo(request: AuditableRequest, organizationId: string): void {
  request.auditOrganizationId = organizationId;
}

/**
 * The first global guard: it only reads the handler's @Audited spec (or, for a state-changing call
 * without one, a default naming the handler) onto the request, so the response hook can audit the
 * call whatever happens next — success, failure, or a denial by a later guard. It never refuses.
 */
@Injectable()
export class AuditSpecGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuditableRequest>();
    const spec = this.reflector.get<AuditSpec | undefined>(AUDITED_KEY, context.getHandler());
    if (spec) request.auditSpec = spec;
    else if (STATE_CHANGING.has(request.method)) {
      request.auditSpec = { action: `api.${request.method.toLowerCase()}`, resourceType: 'api' };
    }
    return true;
  }
}
