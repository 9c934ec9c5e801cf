/**
 * Every action the platform authorizes. The list is closed on purpose: the policy decision point
 * denies any string that is not in it, so a typo in a controller can never become an implicit grant.
 */
export const PERMISSIONS = Object.freeze([
  'secrets:read',
  'secrets:write',
  'secrets:delete',
  'secrets:list',
  'pki:issue',
  'pki:revoke',
  'pki:manage',
  'gateways:manage',
  'agents:manage',
  'projects:read',
  'projects:manage',
  'users:read',
  'users:manage',
  'organizations:manage',
  'tokens:manage',
  'audit:read',
  'rbac:manage',
  'integrations:manage',
] as const);

export type Permission = (typeof PERMISSIONS)[number];

// A Set rather than `in`/indexing so inherited keys such as 'toString' or '__proto__' never match.
const PERMISSION_SET: ReadonlySet<string> = new Set(PERMISSIONS);

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && PERMISSION_SET.has(value);
}
