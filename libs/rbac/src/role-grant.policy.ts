import type { Decision, Subject } from './authorization.types';
import type { PolicyDecisionPoint } from './policy-decision-point';
import type { RolePermissionTable, RoleName } from './role.constant';
import { ROLE_PERMISSIONS } from './role.constant';
import { formatScope, type Scope, scopeCovers } from './scope';

/** A role binding someone asks to create or remove. */
export interface RoleGrant {
  /** The user who would receive (or lose) the role. */
  userId: string;
  role: RoleName;
  scope: Scope;
}

const deny = (reason: string): Decision => ({ decision: false, reason });

/**
 * Whether `granter` may create or remove `grant`. Conferring rights follows the rule API tokens
 * already follow — nobody hands out more than they hold:
 * - only users change bindings (a token acting for its owner could otherwise rebind that owner);
 * - nobody changes their own bindings (no self-escalation, no self-lockout);
 * - only an admin (on a scope covering the grant) grants or removes `admin`;
 * - every permission of the role must be granted to the granter on the grant's scope.
 * Removal is checked with the same rule: taking a role away is as sensitive as handing it out.
 * The organization's last admin is a storage question (a count under a lock), checked by the caller.
 */
export function evaluateRoleGrant(
  pdp: PolicyDecisionPoint,
  granter: Subject,
  grant: RoleGrant,
  roles: RolePermissionTable = ROLE_PERMISSIONS,
): Decision {
  if (granter.type !== 'user') return deny('role bindings are changed by users, not API tokens');
  if (granter.id === grant.userId) return deny('nobody changes their own role bindings');
  if (grant.role === 'admin' && !holdsRole(granter, 'admin', grant.scope)) {
    return deny(`only an admin on ${formatScope(grant.scope)} grants the admin role`);
  }
  for (const permission of roles[grant.role] ?? []) {
    const { decision } = pdp.evaluate(granter, permission, { type: 'role_binding', scope: grant.scope });
    if (!decision)
      return deny(
        `role ${grant.role} includes ${permission}, which you do not hold on ${formatScope(grant.scope)}`,
      );
  }
  return {
    decision: true,
    reason: `granter holds every permission of ${grant.role} on ${formatScope(grant.scope)}`,
  };
}

/** Whether `subject` holds `role` through a binding whose scope covers `scope` (an admin-only action). */
export function holdsRole(subject: Subject, role: RoleName, scope: Scope): boolean {
  return !subject.disabled && subject.bindings.some((b) => b.role === role && scopeCovers(b.scope, scope));
}
