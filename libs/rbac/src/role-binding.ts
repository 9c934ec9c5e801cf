import type { RoleName } from './role.constant';
import type { Scope } from './scope';

/** Grants every permission of `role` on `scope` and everything beneath it. */
export interface RoleBinding {
  role: RoleName;
  scope: Scope;
}
