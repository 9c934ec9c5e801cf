import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestWithPrincipal } from '@mazevault/rbac';
import { catchError, from, type Observable, mergeMap, throwError } from 'rxjs';
import { AuditService } from './audit.service';
import { AUDITED_KEY, type AuditSpec } from './audited.decorator';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type AuditableRequest = RequestWithPrincipal & { id?: string; method: string; auditSpec?: AuditSpec; routeOptions?: { url?: string } };

/**
 * Audits every state-changing call (and any handler marked @Audited) after it ran: success once
 * the handler returned, failure when it threw. Denials (401/403) are audited by the error hook,
 * which also sees the calls refused by guards before this interceptor runs.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuditableRequest>();
    const spec = this.reflector.get<AuditSpec | undefined>(AUDITED_KEY, context.getHandler());
    if (!spec && !STATE_CHANGING.has(request.method)) return next.handle();
    const effective = spec ?? { action: `${context.getClass().name}.${context.getHandler().name}`, resourceType: 'api' };
    request.auditSpec = effective;
    return next.handle().pipe(
      mergeMap((result: unknown) => from(this.write(request, effective, 'success', result).then(() => result))),
      catchError((error: unknown) => {
        const status = (error as { getStatus?: () => number }).getStatus?.();
        if (status === 401 || status === 403) return throwError(() => error);
        return from(this.write(request, effective, 'failure')).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }

  private write(request: AuditableRequest, spec: AuditSpec, outcome: 'success' | 'failure', result?: unknown): Promise<void> {
    return this.audit.record({
      organizationId: request.principal?.organizationId ?? null,
      actorType: request.principal?.type ?? 'anonymous',
      actorId: request.principal?.id ?? null,
      action: spec.action,
      resourceType: spec.resourceType,
      resourceRef: spec.resourceRef?.(request, result) ?? null,
      outcome,
      requestId: request.id ?? null,
      details: { method: request.method, route: request.routeOptions?.url },
    });
  }
}

/** The error hook of the problem+json filter: records every 401/403 as a denied call. */
export function auditDenials(audit: AuditService) {
  return async (rawRequest: unknown, problem: { status: number; code: string; detail?: string }): Promise<void> => {
    if (problem.status !== 401 && problem.status !== 403) return;
    const request = rawRequest as AuditableRequest;
    const spec = request.auditSpec;
    const decision = request.authzDecision;
    await audit.record({
      organizationId: request.principal?.organizationId ?? decision?.resource?.scope.organizationId ?? null,
      actorType: request.principal?.type ?? 'anonymous',
      actorId: request.principal?.id ?? null,
      action: spec?.action ?? decision?.action ?? 'http.request',
      resourceType: spec?.resourceType ?? decision?.resource?.type ?? 'api',
      resourceRef: spec?.resourceRef?.(request) ?? decision?.resource?.id ?? null,
      outcome: 'denied',
      requestId: request.id ?? null,
      details: { method: request.method, route: request.routeOptions?.url, status: problem.status, code: problem.code, reason: decision?.reason ?? problem.detail },
    });
  };
}
