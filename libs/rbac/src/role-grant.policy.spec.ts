import type { Subject } from './authorization.types';
import { PolicyDecisionPoint } from './policy-decision-point';
import type { RoleBinding } from './role-binding';
import { evaluateRoleGrant } from './role-grant.policy';
import type { Scope } from './scope';

const ORG: Scope = { organizationId: 'o1' };
const P1: Scope = { organizationId: 'o1', projectId: 'p1' };
const P1_E1: Scope = { organizationId: 'o1', projectId: 'p1', environmentId: 'e1' };
const P2: Scope = { organizationId: 'o1', projectId: 'p2' };
const pdp = new PolicyDecisionPoint();

const granter = (bindings: RoleBinding[], extra: Partial<Subject> = {}): Subject => ({
  type: 'user',
  id: 'granter',
  organizationId: 'o1',
  bindings,
  ...extra,
});

describe('evaluateRoleGrant', () => {
  it('a security-officer cannot make itself admin (the probe) nor grant admin to anyone', () => {
    const officer = granter([{ role: 'security-officer', scope: ORG }]);
    expect(evaluateRoleGrant(pdp, officer, { userId: 'granter', role: 'admin', scope: ORG })).toMatchObject({
      decision: false,
      reason: expect.stringContaining('own'),
    });
    expect(evaluateRoleGrant(pdp, officer, { userId: 'other', role: 'admin', scope: ORG })).toMatchObject({
      decision: false,
      reason: expect.stringContaining('only an admin'),
    });
  });

  it('a security-officer cannot grant a role holding secret rights it lacks, but can grant viewer and auditor', () => {
    const officer = granter([{ role: 'security-officer', scope: ORG }]);
    expect(evaluateRoleGrant(pdp, officer, { userId: 'other', role: 'developer', scope: P1 })).toMatchObject({
      decision: false,
      reason: expect.stringContaining('secrets:read'),
    });
    expect(
      evaluateRoleGrant(pdp, officer, { userId: 'other', role: 'project-admin', scope: P1 }).decision,
    ).toBe(false);
    expect(evaluateRoleGrant(pdp, officer, { userId: 'other', role: 'viewer', scope: P1 }).decision).toBe(
      true,
    );
    expect(evaluateRoleGrant(pdp, officer, { userId: 'other', role: 'auditor', scope: ORG }).decision).toBe(
      true,
    );
  });

  it('nobody changes their own bindings, not even an admin', () => {
    const admin = granter([{ role: 'admin', scope: ORG }]);
    expect(evaluateRoleGrant(pdp, admin, { userId: 'granter', role: 'viewer', scope: P1 }).decision).toBe(
      false,
    );
    expect(evaluateRoleGrant(pdp, admin, { userId: 'other', role: 'admin', scope: ORG }).decision).toBe(true);
  });

  it('permissions are checked at the grant scope: a project admin grants within its project only', () => {
    const projectAdmin = granter([{ role: 'project-admin', scope: P1 }]);
    expect(
      evaluateRoleGrant(pdp, projectAdmin, { userId: 'other', role: 'developer', scope: P1 }).decision,
    ).toBe(true);
    expect(
      evaluateRoleGrant(pdp, projectAdmin, { userId: 'other', role: 'developer', scope: P1_E1 }).decision,
    ).toBe(true);
    expect(
      evaluateRoleGrant(pdp, projectAdmin, { userId: 'other', role: 'developer', scope: P2 }).decision,
    ).toBe(false);
    expect(
      evaluateRoleGrant(pdp, projectAdmin, { userId: 'other', role: 'developer', scope: ORG }).decision,
    ).toBe(false);
  });

  it('an admin bound to a project grants admin on that project, not on the organization', () => {
    const projectScopedAdmin = granter([{ role: 'admin', scope: P1 }]);
    expect(
      evaluateRoleGrant(pdp, projectScopedAdmin, { userId: 'other', role: 'admin', scope: P1 }).decision,
    ).toBe(true);
    expect(
      evaluateRoleGrant(pdp, projectScopedAdmin, { userId: 'other', role: 'admin', scope: ORG }).decision,
    ).toBe(false);
  });

  it('API tokens never change bindings, whatever their owner holds', () => {
    const token = granter([{ role: 'admin', scope: ORG }], {
      type: 'api_token',
      tokenPermissions: ['rbac:manage'],
      tokenScope: ORG,
    });
    expect(evaluateRoleGrant(pdp, token, { userId: 'other', role: 'viewer', scope: ORG })).toMatchObject({
      decision: false,
      reason: expect.stringContaining('API tokens'),
    });
  });

  it('a disabled or expired granter grants nothing', () => {
    const disabled = granter([{ role: 'admin', scope: ORG }], { disabled: true });
    expect(evaluateRoleGrant(pdp, disabled, { userId: 'other', role: 'viewer', scope: ORG }).decision).toBe(
      false,
    );
  });
});
