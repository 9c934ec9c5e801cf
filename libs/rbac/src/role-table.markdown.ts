import { PERMISSIONS } from './permission.constant';
import { ROLE_NAMES, ROLE_PERMISSIONS, type RolePermissionTable } from './role.constant';

/** The markers around the generated table in the README (`npm run docs:roles` rewrites what is between). */
export const ROLE_TABLE_BEGIN =
  '<!-- roles:begin (generated from libs/rbac by `npm run docs:roles`; do not edit) -->';
export const ROLE_TABLE_END = '<!-- roles:end -->';

/** The built-in roles × permissions as a Markdown table: one row per permission, one column per role. */
export function renderRolePermissionTable(roles: RolePermissionTable = ROLE_PERMISSIONS): string {
  const header = `| permission | ${ROLE_NAMES.join(' | ')} |`;
  const rule = `| --- | ${ROLE_NAMES.map(() => ':---:').join(' | ')} |`;
  const rows = PERMISSIONS.map(
    (permission) =>
      `| \`${permission}\` | ${ROLE_NAMES.map((role) => (roles[role].includes(permission) ? '✓' : '')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}

/** `document` with the text between the role-table markers replaced by the current table. */
export function withRoleTable(document: string, roles: RolePermissionTable = ROLE_PERMISSIONS): string {
  const begin = document.indexOf(ROLE_TABLE_BEGIN);
  const end = document.indexOf(ROLE_TABLE_END);
  if (begin === -1 || end < begin) throw new Error('the role-table markers are missing');
  return `${document.slice(0, begin + ROLE_TABLE_BEGIN.length)}\n${renderRolePermissionTable(roles)}\n${document.slice(end)}`;
}
