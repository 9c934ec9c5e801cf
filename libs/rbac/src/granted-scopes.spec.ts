import type { Subject } from './authorization.types';
import { grantedScopes, narrowestListResource } from './granted-scopes';
import { PolicyDecisionPoint } from './policy-decision-point';

const pdp = new PolicyDecisionPoint();
const ORG = { organizationId: 'o1' };
const P1 = { organizationId: 'o1', projectId: 'p1' };
const P1_E1 = { organizationId: 'o1', projectId: 'p1', environmentId: 'e1' };
const subject = (extra: Partial<Subject>): Subject => ({
  type: 'user',
  id: 'u1',
  organizationId: 'o1',
  bindings: [],
  ...extra,
});

describe('grantedScopes', () => {
  it.each([
    ['org admin', subject({ bindings: [{ role: 'admin', scope: ORG }] }), 'tokens:manage', [ORG]],
    ['project admin', subject({ bindings: [{ role: 'project-admin', scope: P1 }] }), 'tokens:manage', [P1]],
    [
      'developer on one environment',
      subject({ bindings: [{ role: 'developer', scope: P1_E1 }] }),
      'projects:read',
      [P1_E1],
    ],
    [
      'developer lacks tokens:manage',
      subject({ bindings: [{ role: 'developer', scope: P1 }] }),
      'tokens:manage',
      [],
    ],
    [
      'binding in another organization',
      subject({ bindings: [{ role: 'admin', scope: { organizationId: 'o2' } }] }),
      'projects:read',
      [],
    ],
    [
      'token narrowed to a project',
      subject({
        type: 'api_token',
        bindings: [{ role: 'admin', scope: ORG }],
        tokenPermissions: ['projects:read'],
        tokenScope: P1,
      }),
      'projects:read',
      [P1],
    ],
  ])('%s', (_name, who, action, expected) => {
    expect(grantedScopes(pdp, who, action)).toEqual(expected);
  });

  it('names the organization when nothing is granted, so the denial is organization-level', () => {
    expect(
      narrowestListResource(
        pdp,
        subject({ bindings: [{ role: 'viewer', scope: P1 }] }),
        'tokens:manage',
        'api_token',
      ),
    ).toEqual({ type: 'api_token', scope: ORG });
    expect(
      narrowestListResource(
        pdp,
        subject({ bindings: [{ role: 'project-admin', scope: P1 }] }),
        'tokens:manage',
        'api_token',
      ),
    ).toEqual({ type: 'api_token', scope: P1 });
  });
});
