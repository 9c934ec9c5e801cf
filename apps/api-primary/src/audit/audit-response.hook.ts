import { Logger } from '@nestjs/common';
import { ProblemException, toProblem } from '@mazevault/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditableRequest } from './audit-spec.guard';
import type { AuditSpec } from './audited.decorator';
import type { AuditService } from './audit.service';

/**
 * Audits each call when its response is about to be sent (Fastify `onSend`): awaited, so the event
 * is committed before the client hears back. Denials (401/403) are recorded for every call, audited
 * handler or not; other outcomes for the calls AuditSpecGuard marked (@Audited, or state-changing).
 *
 * A response hook rather than a Nest interceptor: an interceptor, even a pass-through one, cost about
 * 250 µs of CPU per request here (measured), more than the whole secret read it would audit.
 *
 * An event that cannot be written fails the call closed: the response becomes a 500 problem (the
 * result, a secret value say, is never sent unaudited) and the failure goes to the log, never its
 * database text to the client.
 */
export function registerAuditResponseHook(fastify: FastifyInstance, audit: AuditService): void {
  const logger = new Logger('Audit');
  // A result-derived reference (e.g. the serial just issued) is taken from the handler's result
  // before Fastify serializes it, rather than parsed back out of the JSON body.
  fastify.addHook(
    'preSerialization',
    (
      fastifyRequest: FastifyRequest,
      _reply: FastifyReply,
      payload: unknown,
      done: (error: null, value: unknown) => void,
    ) => {
      const request = fastifyRequest as unknown as AuditableRequest;
      if (needsResult(request.auditSpec)) request.auditResult = payload;
      done(null, payload);
    },
  );
  fastify.addHook('onSend', async (fastifyRequest: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const request = fastifyRequest as unknown as AuditableRequest;
    const status = reply.statusCode;
    const denied = status === 401 || status === 403;
    const spec = request.auditSpec;
    if (!denied && !spec) return payload;
    const decision = request.authzDecision;
    const details: Record<string, unknown> = {
      method: request.method,
      route: request.routeOptions?.url,
      status,
    };
    if (denied) {
      const problem = parseJson(payload) as { code?: string; detail?: string } | undefined;
      details.code = problem?.code;
      details.reason = decision?.reason ?? problem?.detail;
      if (decision?.action) details.permission = decision.action;
    }
    const result =
      !denied && status < 400 && needsResult(spec) ? (request.auditResult ?? parseJson(payload)) : undefined;
    try {
      await audit.record({
        organizationId:
          request.principal?.organizationId ??
          request.auditOrganizationId ??
          decision?.resource?.scope.organizationId ??
          null,
        actorType: request.principal?.type ?? 'anonymous',
        actorId: request.principal?.id ?? null,
        // One naming scheme, `<resource>.<verb>`: a denied call without its own name is an `access.deny`.
        action: spec?.action ?? (denied ? 'access.deny' : 'api.request'),
        resourceType: spec?.resourceType ?? decision?.resource?.type ?? 'api',
        resourceRef:
          spec?.resourceRef?.(request, result) ?? (denied ? (decision?.resource?.id ?? null) : null),
        outcome: denied ? 'denied' : status < 400 ? 'success' : 'failure',
        requestId: request.id ?? null,
        details,
      });
    } catch (error) {
      logger.error(
        { err: error, requestId: request.id, status },
        'audit event not written: the call fails closed',
      );
      const { body } = toProblem(
        new ProblemException(
          500,
          'audit_unavailable',
          'The audit event of this call could not be recorded, so the call was refused; quote the request id to an operator.',
        ),
        fastifyRequest,
      );
      void reply.code(500).header('content-type', 'application/problem+json; charset=utf-8');
      reply.removeHeader('content-length');
      return JSON.stringify(body);
    }
    return payload;
  });
}

/** A `resourceRef(request, result)` that takes the result (the function's declared arity says so). */
function needsResult(spec: AuditSpec | undefined): boolean {
  return !!spec?.resourceRef && spec.resourceRef.length > 1;
}

function parseJson(payload: unknown): unknown {
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}
