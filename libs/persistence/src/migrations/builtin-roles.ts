/**
 * The built-in roles as they were when the first migration ran. A migration must not change when
 * code changes, so this is a frozen copy; the Primary re-syncs the permissions of built-in roles
 * from @mazevault/rbac at start-up.
 */
export const BUILTIN_ROLES: { name: string; description: string; permissions: string[] }[] = [
  { name: 'admin', description: 'Everything, everywhere in the organization', permissions: ['*'] },
  { name: 'security-officer', description: 'Audit, PKI, access reviews and integrations', permissions: [] },
  {
    name: 'project-admin',
    description: 'Manages projects, their secrets, tokens and agents',
    permissions: [],
  },
  { name: 'developer', description: 'Reads and writes secrets, requests certificates', permissions: [] },
  { name: 'viewer', description: 'Sees projects and secret names, not values', permissions: [] },
  { name: 'auditor', description: 'Reads the audit log', permissions: [] },
];
