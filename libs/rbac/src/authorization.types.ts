import type { Permission } from './permission.constant';
import type { RoleBinding } from './role-binding';
import type { Scope } from './scope';

/** Who is asking (AuthZEN "subject"). Built by the authentication layer, never from request input. */
export interface Subject {
  type: 'user' | 'api_token' | 'service';
  id: string;
  organizationId: string;
  /** For an API token: its owner's bindings; the token can never exceed them. */
  bindings: RoleBinding[];
  disabled?: boolean;
  /** Optional hard stop, compared against `context.now` (or the PDP clock). */
  expiresAt?: Date;
  /** Required for `api_token` (absent means nothing is permitted); narrows other subjects if set. */
  tokenPermissions?: Permission[];
  /** Required for `api_token` (absent means no resource is in scope); narrows other subjects if set. */
  tokenScope?: Scope;
  /**
   * A platform (server) administrator, like Infisical's server admin: may act on resources marked
   * `platform`. Set only from the user row for session subjects; API tokens never carry it.
   */
  platformAdmin?: boolean;
}

/** What is acted upon (AuthZEN "resource"). `id` is never echoed in reasons: it may be a secret path. */
export interface Resource {
  type: string;
  id?: string;
  scope: Scope;
  /**
   * The action reaches beyond one organization (create/list/disable organizations, verify the whole
   * audit chain, act inside another organization). Only a platform admin user may perform it, and
   * still needs the permission through its bindings on `scope` (its own organization).
   */
  platform?: boolean;
}

/** Request-time facts (AuthZEN "context"), e.g. client ip. `now` makes expiry checks testable. */
export interface EvaluationContext {
  now?: Date;
  [key: string]: unknown;
}

/** AuthZEN-shaped answer. `reason` holds only action, role and scope ids, never secret material. */
export interface Decision {
  decision: boolean;
  reason: string;
}
