import type { Decision, EvaluationContext, Resource, Subject } from './authorization.types';
import { isPermission, type Permission } from './permission.constant';
import { ROLE_PERMISSIONS, type RolePermissionTable } from './role.constant';
import { formatScope, isValidScope, scopeCovers } from './scope';

export interface PolicyDecisionPointOptions {
  /** Replaces the built-in role table (not merged: a role missing here grants nothing). */
  roles?: RolePermissionTable;
  /** Clock used for expiry when the context carries no `now`. */
  now?: () => Date;
}

const deny = (reason: string): Decision => ({ decision: false, reason });

/**
 * Policy decision point: a pure function of (subject, action, resource, context). Default deny: every
 * check below must pass, and any unexpected shape falls through to a denial rather than an exception.
 * Plain class without Nest decorators so it stays framework-free; apps register it (or
 * `defaultPolicyDecisionPoint`) as a provider under the `PolicyDecisionPoint` token.
 */
export class PolicyDecisionPoint {
  // Map/Set lookups, not object indexing, so a role named 'constructor' cannot resolve to anything.
  private readonly roles: ReadonlyMap<string, ReadonlySet<Permission>>;
  private readonly clock: () => Date;

  constructor(options: PolicyDecisionPointOptions = {}) {
    const table = options.roles ?? ROLE_PERMISSIONS;
    this.roles = new Map(
      Object.entries(table).map(([role, permissions]) => [role, new Set(permissions.filter(isPermission))]),
    );
    this.clock = options.now ?? (() => new Date());
  }

  evaluate(subject: Subject, action: string, resource: Resource, context: EvaluationContext = {}): Decision {
    if (!isPermission(action)) return deny(`unknown action ${JSON.stringify(action)}`);
    if (subject.disabled) return deny('subject disabled');
    if (subject.expiresAt) {
      const now = context.now ?? this.clock();
      if (!(subject.expiresAt.getTime() > now.getTime())) return deny('subject expired');
    }
    if (!isValidScope(resource.scope)) return deny('invalid resource scope');
    if (subject.organizationId !== resource.scope.organizationId) {
      return deny('resource outside subject organization');
    }

    // Platform-wide actions: session users flagged platform admin only, never API tokens.
    if (resource.platform && !(subject.type === 'user' && subject.platformAdmin === true)) {
      return deny('platform admin required');
    }
    // API tokens are the intersection of what the token allows and what its owner's bindings allow.
    const isToken = subject.type === 'api_token';
    if ((isToken || subject.tokenPermissions) && !subject.tokenPermissions?.includes(action)) {
      return deny(`token not permitted ${action}`);
    }
    if (
      (isToken || subject.tokenScope) &&
      !(subject.tokenScope && scopeCovers(subject.tokenScope, resource.scope))
    ) {
      return deny('resource outside token scope');
    }

    if (subject.bindings.length === 0) return deny('subject has no role bindings');
    // First matching binding wins, so the reported grant is deterministic for a given binding order.
    for (const binding of subject.bindings) {
      if (this.roles.get(binding.role)?.has(action) && scopeCovers(binding.scope, resource.scope)) {
        return { decision: true, reason: `granted by role ${binding.role} on ${formatScope(binding.scope)}` };
      }
    }
    return deny(`no binding grants ${action} on ${formatScope(resource.scope)}`);
  }
}

/** Ready-made instance with the built-in roles, for apps that need no customization. */
export const defaultPolicyDecisionPoint = new PolicyDecisionPoint();
