import type { Subject } from './authorization.types';
import type { RoleBinding } from './role-binding';
import { isValidScope, type Scope, scopeCovers } from './scope';

/**
 * Where one request acts, resolved once: the caller's organization, and the project and environment
 * the route names, each checked to belong to that organization and turned from slug into id. The
 * bindings are the caller's that reach this place. Frozen, so nothing downstream can widen it:
 * guards read it to decide, services take it as an argument to filter every query.
 */
export interface ResolvedScope {
  readonly organizationId: string;
  readonly projectId?: string;
  readonly environmentId?: string;
  readonly projectSlug?: string;
  readonly environmentSlug?: string;
  /** The caller's bindings covering this scope (organization-wide, this project's, this environment's). */
  readonly bindings: readonly Readonly<RoleBinding>[];
}

/** A scope naming an environment: what the secrets service and store act on. */
export type EnvironmentScope = ResolvedScope & { readonly projectId: string; readonly environmentId: string };

export interface ScopePlace {
  projectId?: string;
  environmentId?: string;
  projectSlug?: string;
  environmentSlug?: string;
}

/** Builds the frozen value; the organization is always the caller's own, never the route's. */
export function resolvedScope(
  principal: Pick<Subject, 'organizationId' | 'bindings'>,
  place: ScopePlace = {},
): ResolvedScope {
  const scope: Scope = { organizationId: principal.organizationId };
  if (place.projectId !== undefined) scope.projectId = place.projectId;
  if (place.environmentId !== undefined) scope.environmentId = place.environmentId;
  if (!isValidScope(scope)) throw new Error('resolvedScope: malformed scope');
  const bindings = principal.bindings
    .filter((binding) => scopeCovers(binding.scope, scope))
    .map((binding) => Object.freeze({ role: binding.role, scope: Object.freeze({ ...binding.scope }) }));
  return Object.freeze({
    ...scope,
    ...(place.projectSlug !== undefined && { projectSlug: place.projectSlug }),
    ...(place.environmentSlug !== undefined && { environmentSlug: place.environmentSlug }),
    bindings: Object.freeze(bindings),
  });
}

export function isEnvironmentScope(scope: ResolvedScope | undefined): scope is EnvironmentScope {
  return scope?.projectId !== undefined && scope.environmentId !== undefined;
}

/** The plain organization → project → environment part, for the policy decision point. */
export function placeOf(scope: ResolvedScope): Scope {
  const place: Scope = { organizationId: scope.organizationId };
  if (scope.projectId !== undefined) place.projectId = scope.projectId;
  if (scope.environmentId !== undefined) place.environmentId = scope.environmentId;
  return place;
}
