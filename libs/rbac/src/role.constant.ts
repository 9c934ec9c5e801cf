import { PERMISSIONS, type Permission } from './permission.constant';

export const ROLE_NAMES = Object.freeze([
  'admin',
  'security-officer',
  'project-admin',
  'developer',
  'viewer',
  'auditor',
] as const);

export type RoleName = (typeof ROLE_NAMES)[number];

export type RolePermissionTable = Readonly<Record<RoleName, readonly Permission[]>>;

/**
 * Built-in roles as plain data. Frozen (including the inner arrays) so no caller can widen a role at
 * runtime; a deployment that needs other grants passes its own table to `PolicyDecisionPoint`.
 */
export const ROLE_PERMISSIONS: RolePermissionTable = Object.freeze({
  admin: PERMISSIONS,
  'security-officer': Object.freeze<Permission[]>([
    'audit:read',
    'pki:issue',
    'pki:revoke',
    'pki:manage',
    'users:read',
    'projects:read',
    'secrets:list',
    'rbac:manage',
    'integrations:manage',
    'gateways:manage',
  ]),
  'project-admin': Object.freeze<Permission[]>([
    'projects:read',
    'projects:manage',
    'secrets:read',
    'secrets:write',
    'secrets:delete',
    'secrets:list',
    'pki:issue',
    'pki:revoke',
    'tokens:manage',
    'agents:manage',
  ]),
  developer: Object.freeze<Permission[]>([
    'projects:read',
    'secrets:read',
    'secrets:write',
    'secrets:list',
    'pki:issue',
  ]),
  viewer: Object.freeze<Permission[]>(['projects:read', 'secrets:list']),
  auditor: Object.freeze<Permission[]>(['audit:read', 'projects:read']),
});

const ROLE_NAME_SET: ReadonlySet<string> = new Set(ROLE_NAMES);

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && ROLE_NAME_SET.has(value);
}
