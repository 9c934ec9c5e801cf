import type { Subject } from './authorization.types';
import { attachResolvedScope, type RequestWithPrincipal } from './nest/request-with-principal.type';
import { defaultResourceResolver } from './nest/require-permission.decorator';
import { isEnvironmentScope, placeOf, resolvedScope } from './resolved-scope';

const caller: Subject = {
  type: 'user',
  id: 'u1',
  organizationId: 'o1',
  bindings: [
    { role: 'viewer', scope: { organizationId: 'o1' } },
    { role: 'developer', scope: { organizationId: 'o1', projectId: 'p1' } },
    { role: 'admin', scope: { organizationId: 'o1', projectId: 'p2' } },
    { role: 'auditor', scope: { organizationId: 'o1', projectId: 'p1', environmentId: 'e9' } },
  ],
};

describe('resolvedScope', () => {
  it("keeps the caller's organization and only the bindings that reach the place", () => {
    const scope = resolvedScope(caller, {
      projectId: 'p1',
      environmentId: 'e1',
      projectSlug: 'app',
      environmentSlug: 'dev',
    });
    expect(scope).toEqual({
      organizationId: 'o1',
      projectId: 'p1',
      environmentId: 'e1',
      projectSlug: 'app',
      environmentSlug: 'dev',
      bindings: [caller.bindings[0], caller.bindings[1]],
    });
    expect(isEnvironmentScope(scope)).toBe(true);
    expect(placeOf(scope)).toStrictEqual({ organizationId: 'o1', projectId: 'p1', environmentId: 'e1' });
    expect(resolvedScope(caller).bindings).toEqual([caller.bindings[0]]);
    expect(isEnvironmentScope(resolvedScope(caller, { projectId: 'p1' }))).toBe(false);
  });

  it('is frozen all the way down, and copies the bindings it keeps', () => {
    const scope = resolvedScope(caller, { projectId: 'p1' });
    expect(Object.isFrozen(scope)).toBe(true);
    expect(Object.isFrozen(scope.bindings)).toBe(true);
    expect(Object.isFrozen(scope.bindings[0]!.scope)).toBe(true);
    expect(() => {
      (scope as { projectId?: string }).projectId = 'p2';
    }).toThrow(TypeError);
    expect(scope.bindings[0]).not.toBe(caller.bindings[0]);
  });

  it('refuses an environment without a project', () => {
    expect(() => resolvedScope(caller, { environmentId: 'e1' })).toThrow('malformed scope');
  });
});

describe('attachResolvedScope', () => {
  it('sets the scope once; it can be neither replaced nor attached again', () => {
    const request: RequestWithPrincipal = { principal: caller };
    attachResolvedScope(request, resolvedScope(caller, { projectId: 'p1' }));
    expect(() => {
      (request as { resolvedScope?: unknown }).resolvedScope = resolvedScope(caller);
    }).toThrow(TypeError);
    expect(() => attachResolvedScope(request, resolvedScope(caller))).toThrow('resolved once');
    expect(request.resolvedScope?.projectId).toBe('p1');
  });

  it('is what the default resource resolver reads, not the raw route params', () => {
    const request: RequestWithPrincipal & { principal: Subject } = {
      principal: caller,
      params: { projectId: 'my-app-slug', environmentId: 'dev' },
    };
    attachResolvedScope(request, resolvedScope(caller, { projectId: 'p1', environmentId: 'e1' }));
    const noServices = {
      get: () => {
        throw new Error('not needed');
      },
    };
    expect(defaultResourceResolver(request, noServices)).toStrictEqual({
      type: 'organization',
      scope: { organizationId: 'o1', projectId: 'p1', environmentId: 'e1' },
    });
  });
});
