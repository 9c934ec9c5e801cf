import type { Resource, Subject } from '../authorization.types';
import type { ResolvedScope } from '../resolved-scope';
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
  /** Set once by the app's scope resolution (see `attachResolvedScope`); read-only afterwards. */
  readonly resolvedScope?: ResolvedScope;
  params?: Record<string, string>;
  body?: unknown;
}

export type AuthenticatedRequest = RequestWithPrincipal & { principal: Subject };

/**
 * Puts the request's resolved scope on it, once: the property is neither writable nor configurable,
 * so a later guard or handler cannot swap in a wider scope (assigning throws in strict mode).
 */
export function attachResolvedScope(request: RequestWithPrincipal, scope: ResolvedScope): void {
  if (request.resolvedScope !== undefined)
    throw new Error('attachResolvedScope: the scope is resolved once per request');
  Object.defineProperty(request, 'resolvedScope', {
    value: scope,
    writable: false,
    configurable: false,
    enumerable: true,
  });
}
