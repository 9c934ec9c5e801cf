import type { Resource, Subject } from '../authorization.types';
import type { Permission } from '../permission.constant';

/**
 * Outcome the guard leaves on the request so the audit layer (a response hook in the Primary) can record
 * denied calls too. `action`/`resource` are absent only when the handler declared no permission.
 */
export interface AuthzDecisionRecord {
  action?: Permission;
  resource?: Resource;
  decision: boolean;
  reason: string;
}

/** The slice of an HTTP request (Fastify or Express) the authorization layer reads and writes. */
export interface RequestWithPrincipal {
  /** Set by the authentication guard/middleware; absent means unauthenticated. */
  principal?: Subject;
  authzDecision?: AuthzDecisionRecord;
  params?: Record<string, string>;
  body?: unknown;
}

export type AuthenticatedRequest = RequestWithPrincipal & { principal: Subject };
