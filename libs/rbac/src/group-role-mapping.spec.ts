import { bindingsFromGroups, type GroupRoleMapping } from './group-role-mapping';
import type { RoleName } from './role.constant';

const mappings: GroupRoleMapping[] = [
  { externalId: 'g-admins', role: 'admin', scope: { organizationId: 'o1' } },
  { externalId: 'g-devs', role: 'developer', scope: { organizationId: 'o1', projectId: 'p1' } },
  // Same binding reached through a second group: must appear once.
  {
    externalId: 'g-devs-legacy',
    role: 'developer',
    scope: { organizationId: 'o1', projectId: 'p1', environmentId: undefined },
  },
  { externalId: 'g-devs', role: 'viewer', scope: { organizationId: 'o1', projectId: 'p2' } },
  { externalId: 'g-typo', role: 'superuser' as RoleName, scope: { organizationId: 'o1' } },
  { externalId: 'g-broken', role: 'viewer', scope: { organizationId: 'o1', environmentId: 'e1' } },
];

describe('bindingsFromGroups', () => {
  it.each([
    ['no groups', [], []],
    ['unmapped groups', ['g-unknown'], []],
    [
      'one group, two mappings',
      ['g-devs'],
      [
        { role: 'developer', scope: { organizationId: 'o1', projectId: 'p1' } },
        { role: 'viewer', scope: { organizationId: 'o1', projectId: 'p2' } },
      ],
    ],
    [
      'two groups mapping to the same binding, deduplicated',
      ['g-devs-legacy', 'g-devs', 'g-devs'],
      [
        { role: 'developer', scope: { organizationId: 'o1', projectId: 'p1' } },
        { role: 'viewer', scope: { organizationId: 'o1', projectId: 'p2' } },
      ],
    ],
    [
      'unknown role and malformed scope are skipped',
      ['g-typo', 'g-broken', 'g-admins'],
      [{ role: 'admin', scope: { organizationId: 'o1' } }],
    ],
    ['group ids match exactly', ['G-ADMINS'], []],
  ])('%s', (_name, groups, expected) => {
    expect(bindingsFromGroups(groups, mappings)).toStrictEqual(expected);
  });
});
