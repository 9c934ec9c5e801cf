import type { Decision, Resource, Subject } from './authorization.types';
import { PERMISSIONS, type Permission } from './permission.constant';
import { defaultPolicyDecisionPoint, PolicyDecisionPoint } from './policy-decision-point';
import type { RoleName } from './role.constant';
import type { RoleBinding } from './role-binding';
import type { Scope } from './scope';

// Expected grants transcribed from the product spec, independently of ROLE_PERMISSIONS.
const EXPECTED_GRANTS: Record<RoleName, Permission[]> = {
  admin: [...PERMISSIONS],
  'security-officer': [
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
  ],
  'project-admin': [
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
  ],
  developer: ['projects:read', 'secrets:read', 'secrets:write', 'secrets:list', 'pki:issue'],
  viewer: ['projects:read', 'secrets:list'],
  auditor: ['audit:read', 'projects:read'],
};

const ORG: Scope = { organizationId: 'o1' };
const P1: Scope = { organizationId: 'o1', projectId: 'p1' };
const P1_E1: Scope = { organizationId: 'o1', projectId: 'p1', environmentId: 'e1' };
const P1_E2: Scope = { organizationId: 'o1', projectId: 'p1', environmentId: 'e2' };
const P2: Scope = { organizationId: 'o1', projectId: 'p2' };
const P2_E1: Scope = { organizationId: 'o1', projectId: 'p2', environmentId: 'e1' };
const OTHER_ORG: Scope = { organizationId: 'o2' };

const user = (bindings: RoleBinding[], extra: Partial<Subject> = {}): Subject => ({
  type: 'user',
  id: 'u1',
  organizationId: 'o1',
  bindings,
  ...extra,
});
const secret = (scope: Scope): Resource => ({ type: 'secret', id: 'db/password', scope });
const pdp = new PolicyDecisionPoint();

describe('PolicyDecisionPoint: role × action × level', () => {
  const levels: Array<[string, Scope]> = [
    ['org', ORG],
    ['project', P1],
    ['environment', P1_E1],
  ];
  const cases = (Object.keys(EXPECTED_GRANTS) as RoleName[]).flatMap((role) =>
    levels.flatMap(([level, scope]) =>
      PERMISSIONS.map((action) => ({
        role,
        level,
        scope,
        action,
        allowed: EXPECTED_GRANTS[role].includes(action),
      })),
    ),
  );

  it.each(cases)('$role at $level level, $action → $allowed', ({ role, scope, action, allowed }) => {
    const result = pdp.evaluate(user([{ role, scope }]), action, secret(scope));
    const where = scope === ORG ? 'org/o1' : scope === P1 ? 'org/o1/project/p1' : 'org/o1/project/p1/env/e1';
    expect(result).toEqual(
      allowed
        ? { decision: true, reason: `granted by role ${role} on ${where}` }
        : { decision: false, reason: `no binding grants ${action} on ${where}` },
    );
  });
});

describe('PolicyDecisionPoint: scope inheritance (developer, secrets:read)', () => {
  // [binding scope, resource scope, expected reason]; grants flow down, never up nor sideways.
  const table: Array<[Scope, Scope, string]> = [
    [ORG, ORG, 'granted by role developer on org/o1'],
    [ORG, P1, 'granted by role developer on org/o1'],
    [ORG, P1_E1, 'granted by role developer on org/o1'],
    [P1, ORG, 'no binding grants secrets:read on org/o1'],
    [P1, P1, 'granted by role developer on org/o1/project/p1'],
    [P1, P1_E1, 'granted by role developer on org/o1/project/p1'],
    [P1, P2, 'no binding grants secrets:read on org/o1/project/p2'],
    [P1, P2_E1, 'no binding grants secrets:read on org/o1/project/p2/env/e1'],
    [P1_E1, ORG, 'no binding grants secrets:read on org/o1'],
    [P1_E1, P1, 'no binding grants secrets:read on org/o1/project/p1'],
    [P1_E1, P1_E1, 'granted by role developer on org/o1/project/p1/env/e1'],
    [P1_E1, P1_E2, 'no binding grants secrets:read on org/o1/project/p1/env/e2'],
    [P1_E1, P2_E1, 'no binding grants secrets:read on org/o1/project/p2/env/e1'],
    // Malformed binding (environment without project) covers nothing rather than the whole org.
    [
      { organizationId: 'o1', environmentId: 'e1' },
      P1_E1,
      'no binding grants secrets:read on org/o1/project/p1/env/e1',
    ],
    [{ organizationId: 'o1', projectId: '' }, ORG, 'no binding grants secrets:read on org/o1'],
  ];

  it.each(table)('binding %j, resource %j → %s', (bindingScope, resourceScope, reason) => {
    const result = pdp.evaluate(
      user([{ role: 'developer', scope: bindingScope }]),
      'secrets:read',
      secret(resourceScope),
    );
    expect(result).toEqual({ decision: reason.startsWith('granted'), reason });
  });

  it('treats a null projectId (database row) as an org-level binding', () => {
    const binding = {
      role: 'developer',
      scope: { organizationId: 'o1', projectId: null },
    } as unknown as RoleBinding;
    expect(pdp.evaluate(user([binding]), 'secrets:read', secret(P1)).decision).toBe(true);
  });

  it('reports the first binding that grants, in binding order', () => {
    const subject = user([
      { role: 'viewer', scope: ORG },
      { role: 'developer', scope: P1 },
      { role: 'admin', scope: ORG },
    ]);
    expect(pdp.evaluate(subject, 'secrets:write', secret(P1_E1)).reason).toBe(
      'granted by role developer on org/o1/project/p1',
    );
  });
});

describe('PolicyDecisionPoint: default deny', () => {
  const admin = user([{ role: 'admin', scope: ORG }]);
  const now = new Date('2030-01-01T00:00:00Z');

  const table: Array<[string, Subject, string, Resource, string]> = [
    ['unknown action', admin, 'secrets:purge', secret(ORG), 'unknown action "secrets:purge"'],
    ['prototype key as action', admin, 'toString', secret(ORG), 'unknown action "toString"'],
    [
      'disabled subject',
      user([{ role: 'admin', scope: ORG }], { disabled: true }),
      'secrets:read',
      secret(ORG),
      'subject disabled',
    ],
    [
      'expired subject',
      user([{ role: 'admin', scope: ORG }], { expiresAt: now }),
      'secrets:read',
      secret(ORG),
      'subject expired',
    ],
    ['no bindings', user([]), 'secrets:read', secret(ORG), 'subject has no role bindings'],
    [
      'cross-organization resource',
      admin,
      'secrets:read',
      secret(OTHER_ORG),
      'resource outside subject organization',
    ],
    [
      'cross-organization even with a binding there',
      user([{ role: 'admin', scope: OTHER_ORG }]),
      'secrets:read',
      secret(OTHER_ORG),
      'resource outside subject organization',
    ],
    [
      'binding in another organization',
      user([{ role: 'admin', scope: OTHER_ORG }]),
      'secrets:read',
      secret(ORG),
      'no binding grants secrets:read on org/o1',
    ],
    [
      'unknown role in binding',
      user([{ role: 'constructor' as RoleName, scope: ORG }]),
      'secrets:read',
      secret(ORG),
      'no binding grants secrets:read on org/o1',
    ],
    [
      'environment without project',
      admin,
      'secrets:read',
      secret({ organizationId: 'o1', environmentId: 'e1' }),
      'invalid resource scope',
    ],
    [
      'empty organization id',
      user([{ role: 'admin', scope: { organizationId: '' } }], { organizationId: '' }),
      'secrets:read',
      secret({ organizationId: '' }),
      'invalid resource scope',
    ],
  ];

  it.each(table)('%s → deny', (_name, subject, action, resource, reason) => {
    expect(pdp.evaluate(subject, action, resource, { now })).toEqual({ decision: false, reason });
  });

  it('allows a subject whose expiry is still ahead', () => {
    const subject = user([{ role: 'admin', scope: ORG }], { expiresAt: new Date(now.getTime() + 1) });
    expect(pdp.evaluate(subject, 'secrets:read', secret(ORG), { now }).decision).toBe(true);
  });

  it('uses the injected clock when the context has no now', () => {
    const clocked = new PolicyDecisionPoint({ now: () => now });
    const subject = user([{ role: 'admin', scope: ORG }], { expiresAt: new Date(now.getTime() + 1000) });
    expect(clocked.evaluate(subject, 'secrets:read', secret(ORG)).decision).toBe(true);
    expect(
      clocked.evaluate(subject, 'secrets:read', secret(ORG), { now: new Date(now.getTime() + 1000) }),
    ).toEqual({
      decision: false,
      reason: 'subject expired',
    });
  });

  it('never puts the resource id in a reason', () => {
    const resource: Resource = { type: 'secret', id: 'prod/db/very-secret-name', scope: P1 };
    for (const subject of [admin, user([{ role: 'viewer', scope: P1 }]), user([])]) {
      expect(pdp.evaluate(subject, 'secrets:read', resource).reason).not.toContain('very-secret-name');
    }
  });
});

describe('PolicyDecisionPoint: API token intersection', () => {
  // Owner is a developer on the whole org; the token is narrowed to secrets:read on project p1.
  const token = (extra: Partial<Subject> = {}): Subject => ({
    type: 'api_token',
    id: 't1',
    organizationId: 'o1',
    bindings: [{ role: 'developer', scope: ORG }],
    tokenPermissions: ['secrets:read', 'pki:manage'],
    tokenScope: P1,
    ...extra,
  });

  const table: Array<[string, Subject, Permission, Scope, boolean, string]> = [
    ['both allow', token(), 'secrets:read', P1_E1, true, 'granted by role developer on org/o1'],
    [
      'permission missing from token',
      token(),
      'secrets:write',
      P1,
      false,
      'token not permitted secrets:write',
    ],
    [
      'resource outside token scope (sibling project)',
      token(),
      'secrets:read',
      P2,
      false,
      'resource outside token scope',
    ],
    [
      'resource outside token scope (org level)',
      token(),
      'secrets:read',
      ORG,
      false,
      'resource outside token scope',
    ],
    [
      'token allows but owner does not',
      token(),
      'pki:manage',
      P1,
      false,
      'no binding grants pki:manage on org/o1/project/p1',
    ],
    [
      'token without permissions',
      token({ tokenPermissions: undefined }),
      'secrets:read',
      P1,
      false,
      'token not permitted secrets:read',
    ],
    [
      'token without scope',
      token({ tokenScope: undefined }),
      'secrets:read',
      P1,
      false,
      'resource outside token scope',
    ],
    [
      'token scoped to another org',
      token({ tokenScope: OTHER_ORG }),
      'secrets:read',
      P1,
      false,
      'resource outside token scope',
    ],
    [
      'token restrictions also narrow a service that carries them',
      token({ type: 'service', tokenPermissions: ['secrets:list'] }),
      'secrets:read',
      P1,
      false,
      'token not permitted secrets:read',
    ],
    [
      'service without restrictions uses its bindings',
      token({ type: 'service', tokenPermissions: undefined, tokenScope: undefined }),
      'secrets:read',
      P2,
      true,
      'granted by role developer on org/o1',
    ],
  ];

  it.each(table)('%s', (_name, subject, action, scope, decision, reason) => {
    expect(pdp.evaluate(subject, action, secret(scope))).toEqual({ decision, reason });
  });
});

describe('PolicyDecisionPoint options', () => {
  it('replaces the role table instead of merging it', () => {
    const custom = new PolicyDecisionPoint({
      roles: {
        admin: [],
        'security-officer': [],
        'project-admin': [],
        developer: ['secrets:delete'],
        viewer: [],
        auditor: [],
      },
    });
    const dev = user([{ role: 'developer', scope: ORG }]);
    expect(custom.evaluate(dev, 'secrets:delete', secret(ORG)).decision).toBe(true);
    expect(custom.evaluate(dev, 'secrets:read', secret(ORG)).decision).toBe(false);
  });

  it('has a default instance using the built-in roles', () => {
    expect(defaultPolicyDecisionPoint).toBeInstanceOf(PolicyDecisionPoint);
    expect(
      defaultPolicyDecisionPoint.evaluate(user([{ role: 'viewer', scope: ORG }]), 'secrets:list', secret(P1)),
    ).toEqual({
      decision: true,
      reason: 'granted by role viewer on org/o1',
    });
  });
});

describe('PolicyDecisionPoint: platform-wide resources', () => {
  const orgAdmin = user([{ role: 'admin', scope: ORG }]);
  const platformAdmin = user([{ role: 'admin', scope: ORG }], { platformAdmin: true });
  const platform = (scope: Scope = ORG): Resource => ({ type: 'organization', platform: true, scope });
  const table: Array<[string, Subject, string, Resource, Decision]> = [
    [
      'an organization admin',
      orgAdmin,
      'organizations:manage',
      platform(),
      { decision: false, reason: 'platform admin required' },
    ],
    [
      'a platform admin',
      platformAdmin,
      'organizations:manage',
      platform(),
      { decision: true, reason: 'granted by role admin on org/o1' },
    ],
    [
      'a platform admin still needs the permission through its bindings',
      user([{ role: 'viewer', scope: ORG }], { platformAdmin: true }),
      'organizations:manage',
      platform(),
      { decision: false, reason: 'no binding grants organizations:manage on org/o1' },
    ],
    [
      'a platform admin bound below the organization does not reach the platform resource',
      user([{ role: 'admin', scope: P1 }], { platformAdmin: true }),
      'audit:read',
      platform(),
      { decision: false, reason: 'no binding grants audit:read on org/o1' },
    ],
    [
      "an API token never carries its owner's platform rights",
      user([{ role: 'admin', scope: ORG }], {
        type: 'api_token',
        platformAdmin: true,
        tokenPermissions: ['organizations:manage'],
        tokenScope: ORG,
      }),
      'organizations:manage',
      platform(),
      { decision: false, reason: 'platform admin required' },
    ],
    [
      'the flag alone does not open another organization',
      platformAdmin,
      'organizations:manage',
      platform(OTHER_ORG),
      { decision: false, reason: 'resource outside subject organization' },
    ],
    [
      'the flag grants nothing on ordinary resources',
      user([], { platformAdmin: true }),
      'secrets:read',
      secret(ORG),
      { decision: false, reason: 'subject has no role bindings' },
    ],
  ];
  it.each(table)('%s', (_name, subject, action, resource, expected) => {
    expect(pdp.evaluate(subject, action, resource)).toEqual(expected);
  });
});
