import { isPermission, PERMISSIONS } from './permission.constant';
import { isRoleName, ROLE_NAMES, ROLE_PERMISSIONS } from './role.constant';

describe('permission and role constants', () => {
  it('lists the 18 permissions once each', () => {
    expect(PERMISSIONS).toHaveLength(18);
    expect(new Set(PERMISSIONS).size).toBe(18);
  });

  it.each([
    ['secrets:read', true],
    ['integrations:manage', true],
    ['secrets:*', false],
    ['SECRETS:READ', false],
    ['toString', false],
    ['__proto__', false],
    [42, false],
    [undefined, false],
  ])('isPermission(%p) → %p', (value, expected) => {
    expect(isPermission(value)).toBe(expected);
  });

  it.each([
    ['admin', true],
    ['security-officer', true],
    ['auditor', true],
    ['owner', false],
    ['constructor', false],
    [null, false],
  ])('isRoleName(%p) → %p', (value, expected) => {
    expect(isRoleName(value)).toBe(expected);
  });

  it('defines exactly the role names, and admin holds every permission', () => {
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual([...ROLE_NAMES].sort());
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('cannot be widened at runtime', () => {
    expect(() => (ROLE_PERMISSIONS.viewer as string[]).push('secrets:read')).toThrow(TypeError);
    expect(() => ((ROLE_PERMISSIONS as Record<string, unknown>)['viewer'] = [])).toThrow(TypeError);
    expect(() => (PERMISSIONS as unknown as string[]).push('x:y')).toThrow(TypeError);
  });
});
