import 'reflect-metadata';
import type { Permission } from '../permission.constant';
import type { Subject } from '../authorization.types';
import {
  defaultResourceResolver,
  REQUIRE_PERMISSION_KEY,
  RequirePermission,
  type PermissionRequirement,
} from './require-permission.decorator';
import { IS_PUBLIC_KEY, Public } from './public.decorator';

const principal: Subject = { type: 'user', id: 'u1', organizationId: 'o1', bindings: [] };

describe('defaultResourceResolver', () => {
  it.each([
    [undefined, { organizationId: 'o1' }],
    [{}, { organizationId: 'o1' }],
    [{ orgId: 'o2' }, { organizationId: 'o2' }],
    [{ projectId: 'p1' }, { organizationId: 'o1', projectId: 'p1' }],
    [
      { orgId: 'o1', projectId: 'p1', environmentId: 'e1', secretId: 's' },
      { organizationId: 'o1', projectId: 'p1', environmentId: 'e1' },
    ],
  ])('params %j → scope %j (no undefined keys)', (params, scope) => {
    const noServices = {
      get: () => {
        throw new Error('not needed');
      },
    };
    expect(defaultResourceResolver({ principal, ...(params && { params }) }, noServices)).toStrictEqual({
      type: 'organization',
      scope,
    });
  });
});

describe('decorators', () => {
  class Controller {
    @RequirePermission('audit:read')
    audit() {}

    @Public()
    open() {}
  }

  it('stores the permission with the default resolver, and the public flag', () => {
    const requirement = Reflect.getMetadata(
      REQUIRE_PERMISSION_KEY,
      Controller.prototype.audit,
    ) as PermissionRequirement;
    expect(requirement).toEqual({ permission: 'audit:read', resolveResource: defaultResourceResolver });
    expect(Reflect.getMetadata(IS_PUBLIC_KEY, Controller.prototype.open)).toBe(true);
    expect(Reflect.getMetadata(IS_PUBLIC_KEY, Controller.prototype.audit)).toBeUndefined();
  });

  it('rejects an unknown permission at decoration time', () => {
    expect(() => RequirePermission('secrets:everything' as Permission)).toThrow(
      'RequirePermission: unknown permission secrets:everything',
    );
  });
});
