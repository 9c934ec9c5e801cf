import { ProblemException } from '@mazevault/platform';
import {
  type AuthenticatedRequest,
  type EnvironmentScope,
  isEnvironmentScope,
  type ResolvedScope,
} from '@mazevault/rbac';

// A route reaching its handler without the scope it names is a wiring error: refuse, never guess.
const unresolved = () => new ProblemException(500, 'scope_unresolved', 'The request scope was not resolved');

/** The request's resolved scope: at least the caller's organization, on every authenticated route. */
export function resolvedScopeOf(request: AuthenticatedRequest): ResolvedScope {
  const scope = request.resolvedScope;
  if (!scope) throw unresolved();
  return scope;
}

/** The project the request resolved to (ScopeResolutionGuard), for routes under `projects/:projectId`. */
export function projectScopeOf(
  request: AuthenticatedRequest,
): ResolvedScope & { readonly projectId: string } {
  const scope = request.resolvedScope;
  if (scope?.projectId === undefined) throw unresolved();
  return scope as ResolvedScope & { readonly projectId: string };
}

/** The environment the request resolved to, for routes under `projects/:projectId/environments/:environmentId`. */
export function environmentScopeOf(request: AuthenticatedRequest): EnvironmentScope {
  const scope = request.resolvedScope;
  if (!isEnvironmentScope(scope)) throw unresolved();
  return scope;
}
