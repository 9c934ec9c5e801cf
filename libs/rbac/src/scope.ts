/**
 * Where a binding applies or a resource lives. The hierarchy is organization → project → environment;
 * an environment always belongs to a project, so `environmentId` without `projectId` is malformed.
 */
export interface Scope {
  organizationId: string;
  projectId?: string;
  environmentId?: string;
}

// Rows from a database may carry null for "not set"; treat it exactly like undefined.
function isSet(id: string | null | undefined): id is string {
  return id !== undefined && id !== null;
}

/**
 * Well-formed: non-empty ids, and no environment without a project. Malformed scopes never match,
 * which keeps an empty string or a dangling environment from silently meaning "the whole organization".
 */
export function isValidScope(scope: Scope | null | undefined): scope is Scope {
  if (!scope || typeof scope.organizationId !== 'string' || scope.organizationId === '') return false;
  for (const id of [scope.projectId, scope.environmentId]) {
    if (isSet(id) && (typeof id !== 'string' || id === '')) return false;
  }
  return !(isSet(scope.environmentId) && !isSet(scope.projectId));
}

/**
 * True when `outer` (a binding's or token's scope) contains `inner` (a resource's scope). Grants flow
 * down (an org binding covers its projects and environments) and never up: a project binding does not
 * cover an org-level resource, whose projectId is absent.
 */
export function scopeCovers(outer: Scope, inner: Scope): boolean {
  if (!isValidScope(outer) || !isValidScope(inner)) return false;
  if (outer.organizationId !== inner.organizationId) return false;
  if (isSet(outer.projectId) && outer.projectId !== inner.projectId) return false;
  if (isSet(outer.environmentId) && outer.environmentId !== inner.environmentId) return false;
  return true;
}

/** Stable, human-readable path used in decision reasons, e.g. `org/o1/project/p1/env/e1`. */
export function formatScope(scope: Scope): string {
  let path = `org/${scope.organizationId}`;
  if (isSet(scope.projectId)) path += `/project/${scope.projectId}`;
  if (isSet(scope.environmentId)) path += `/env/${scope.environmentId}`;
  return path;
}
