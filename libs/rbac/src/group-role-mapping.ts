import { isRoleName, type RoleName } from './role.constant';
import type { RoleBinding } from './role-binding';
import { isValidScope, type Scope } from './scope';

/** Maps an identity provider group or app role (e.g. an Entra ID group object id) to a binding. */
export interface GroupRoleMapping {
  externalId: string;
  role: RoleName;
  scope: Scope;
}

/**
 * Turns the groups asserted by an SSO login into role bindings. Matching is exact (ids are opaque);
 * mappings with an unknown role or malformed scope are skipped, since they usually come from
 * admin-edited configuration and must not break login nor grant anything. Output is deduplicated
 * and keeps the order of `mappings`.
 */
export function bindingsFromGroups(
  groupIds: readonly string[],
  mappings: readonly GroupRoleMapping[],
): RoleBinding[] {
  const groups = new Set(groupIds);
  const seen = new Set<string>();
  const bindings: RoleBinding[] = [];
  for (const { externalId, role, scope } of mappings) {
    if (!groups.has(externalId) || !isRoleName(role) || !isValidScope(scope)) continue;
    const key = JSON.stringify([
      role,
      scope.organizationId,
      scope.projectId ?? null,
      scope.environmentId ?? null,
    ]);
    if (seen.has(key)) continue;
    seen.add(key);
    bindings.push({ role, scope: compactScope(scope) });
  }
  return bindings;
}

// Copies only the keys that are set, so equal bindings are also structurally equal.
function compactScope({ organizationId, projectId, environmentId }: Scope): Scope {
  return {
    organizationId,
    ...(projectId != null && { projectId }),
    ...(environmentId != null && { environmentId }),
  };
}
