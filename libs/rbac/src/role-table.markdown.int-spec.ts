import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRolePermissionTable, withRoleTable } from './role-table.markdown';

describe('the README role table', () => {
  it('is the table libs/rbac generates (run `npm run docs:roles` after changing a role)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(withRoleTable(readme)).toBe(readme);
  });

  it('marks exactly the permissions each role holds', () => {
    const table = renderRolePermissionTable({
      admin: ['secrets:read', 'audit:read'],
      'security-officer': ['audit:read'],
      'project-admin': [],
      developer: ['secrets:read'],
      viewer: [],
      auditor: [],
    });
    expect(table.split('\n')).toContain('| `secrets:read` | ✓ |  |  | ✓ |  |  |');
    expect(table.split('\n')).toContain('| `audit:read` | ✓ | ✓ |  |  |  |  |');
    expect(table.split('\n')).toContain('| `pki:issue` |  |  |  |  |  |  |');
  });
});
