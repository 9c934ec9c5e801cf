import 'reflect-metadata';
import {
  ForbiddenException,
  HttpException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { type ModuleRef, Reflector } from '@nestjs/core';
import type { Subject } from '../authorization.types';
import { PolicyDecisionPoint } from '../policy-decision-point';
import { ActsOnSelf } from './acts-on-self.decorator';
import { NO_PERMISSION_DECLARED, PolicyGuard } from './policy.guard';
import { Public } from './public.decorator';
import type { RequestWithPrincipal } from './request-with-principal.type';
import { RequirePermission } from './require-permission.decorator';

class SecretsController {
  @Public()
  health() {}

  @RequirePermission('secrets:write')
  write() {}

  @RequirePermission('secrets:read', async (request) => ({
    type: 'secret',
    id: 'db/password',
    scope: { organizationId: request.principal.organizationId, projectId: 'p9' },
  }))
  readLoaded() {}

  undecorated() {}

  @ActsOnSelf()
  whoami() {}
}

@RequirePermission('projects:read')
class ProjectsController {
  list() {}

  @RequirePermission('projects:manage')
  update() {}
}

@Public()
class WellKnownController {
  jwks() {}
}

type Handler = (...args: never[]) => unknown;

function contextFor(
  controller: new () => object,
  handler: Handler,
  request: RequestWithPrincipal,
): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const developerOnP1: Subject = {
  type: 'user',
  id: 'u1',
  organizationId: 'o1',
  bindings: [{ role: 'developer', scope: { organizationId: 'o1', projectId: 'p1' } }],
};
const viewerOnOrg: Subject = {
  ...developerOnP1,
  bindings: [{ role: 'viewer', scope: { organizationId: 'o1' } }],
};

describe('PolicyGuard', () => {
  const guard = new PolicyGuard(new Reflector(), new PolicyDecisionPoint());
  const run = (controller: new () => object, handler: Handler, request: RequestWithPrincipal) =>
    guard.canActivate(contextFor(controller, handler, request));

  async function rejection(promise: Promise<unknown>): Promise<HttpException> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof HttpException)) throw new Error(`expected an HttpException, got ${String(error)}`);
    return error;
  }

  it.each([
    ['a @Public handler', SecretsController, SecretsController.prototype.health],
    ['a handler of a @Public controller', WellKnownController, WellKnownController.prototype.jwks],
  ])('allows %s without a principal and records nothing', async (_name, controller, handler) => {
    const request: RequestWithPrincipal = {};
    await expect(run(controller, handler, request)).resolves.toBe(true);
    expect(request.authzDecision).toBeUndefined();
  });

  it('rejects a protected handler without a principal with 401', async () => {
    const error = await rejection(run(SecretsController, SecretsController.prototype.write, {}));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.getStatus()).toBe(401);
  });

  it('denies a handler with no @RequirePermission on it or its class with 403', async () => {
    const request: RequestWithPrincipal = {
      principal: { ...developerOnP1, bindings: [{ role: 'admin', scope: { organizationId: 'o1' } }] },
    };
    const error = await rejection(run(SecretsController, SecretsController.prototype.undecorated, request));
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(error.getStatus()).toBe(403);
    expect(error.message).toBe(NO_PERMISSION_DECLARED);
    expect(request.authzDecision).toEqual({ decision: false, reason: NO_PERMISSION_DECLARED });
  });

  it('lets any authenticated principal call an @ActsOnSelf handler, and nobody anonymous', async () => {
    const request: RequestWithPrincipal = { principal: viewerOnOrg };
    await expect(run(SecretsController, SecretsController.prototype.whoami, request)).resolves.toBe(true);
    expect(request.authzDecision).toMatchObject({ decision: true });
    const anonymous = await rejection(run(SecretsController, SecretsController.prototype.whoami, {}));
    expect(anonymous).toBeInstanceOf(UnauthorizedException);
  });

  it('denies with 403, the PDP reason, and stores the decision for audit', async () => {
    const request: RequestWithPrincipal = { principal: viewerOnOrg, params: { projectId: 'p1' } };
    const error = await rejection(run(SecretsController, SecretsController.prototype.write, request));
    expect(error).toBeInstanceOf(ForbiddenException);
    expect(error.getStatus()).toBe(403);
    expect(error.message).toBe('no binding grants secrets:write on org/o1/project/p1');
    expect(request.authzDecision).toEqual({
      action: 'secrets:write',
      resource: { type: 'organization', scope: { organizationId: 'o1', projectId: 'p1' } },
      decision: false,
      reason: 'no binding grants secrets:write on org/o1/project/p1',
    });
  });

  it('allows and stores the granting decision', async () => {
    const request: RequestWithPrincipal = {
      principal: developerOnP1,
      params: { orgId: 'o1', projectId: 'p1', environmentId: 'e1' },
    };
    await expect(run(SecretsController, SecretsController.prototype.write, request)).resolves.toBe(true);
    expect(request.authzDecision).toEqual({
      action: 'secrets:write',
      resource: {
        type: 'organization',
        scope: { organizationId: 'o1', projectId: 'p1', environmentId: 'e1' },
      },
      decision: true,
      reason: 'granted by role developer on org/o1/project/p1',
    });
  });

  it('denies a route naming another organization (default resolver reads :orgId)', async () => {
    const request: RequestWithPrincipal = { principal: viewerOnOrg, params: { orgId: 'o2' } };
    const error = await rejection(run(ProjectsController, ProjectsController.prototype.list, request));
    expect(error.message).toBe('resource outside subject organization');
  });

  it('applies controller-level metadata to undecorated handlers and lets handler metadata override it', async () => {
    const request: RequestWithPrincipal = { principal: viewerOnOrg };
    await expect(run(ProjectsController, ProjectsController.prototype.list, request)).resolves.toBe(true);
    expect(request.authzDecision?.reason).toBe('granted by role viewer on org/o1');

    const error = await rejection(run(ProjectsController, ProjectsController.prototype.update, request));
    expect(error.message).toBe('no binding grants projects:manage on org/o1');
  });

  it('uses a custom (async) resource resolver', async () => {
    const request: RequestWithPrincipal = { principal: developerOnP1, params: { projectId: 'p1' } };
    const error = await rejection(run(SecretsController, SecretsController.prototype.readLoaded, request));
    expect(error.message).toBe('no binding grants secrets:read on org/o1/project/p9');
    expect(request.authzDecision?.resource).toEqual({
      type: 'secret',
      id: 'db/password',
      scope: { organizationId: 'o1', projectId: 'p9' },
    });
  });
});

describe('PolicyGuard with a resolver that looks up a service', () => {
  it('evaluates on the scope the service reports, not the route', async () => {
    class ScopeLookup {
      projectOf = (serial: string) => (serial === 'in-p1' ? 'p1' : 'p2');
    }
    const lookup = new ScopeLookup();
    class Controller {
      @RequirePermission('pki:revoke', (request, services) => ({
        type: 'certificate',
        scope: {
          organizationId: request.principal.organizationId,
          projectId: services.get(ScopeLookup).projectOf(request.params?.['serial'] ?? ''),
        },
      }))
      revoke() {}
    }
    const moduleRef = {
      get: (token: unknown) => (token === ScopeLookup ? lookup : undefined),
    } as unknown as ModuleRef;
    const guard = new PolicyGuard(new Reflector(), new PolicyDecisionPoint(), moduleRef);
    const subject: Subject = {
      type: 'user',
      id: 'u',
      organizationId: 'o1',
      bindings: [{ role: 'project-admin', scope: { organizationId: 'o1', projectId: 'p1' } }],
    };
    const context = (serial: string) => {
      const request = { principal: subject, params: { serial } };
      return {
        request,
        ctx: {
          getHandler: () => Controller.prototype.revoke,
          getClass: () => Controller,
          switchToHttp: () => ({ getRequest: () => request }),
        } as unknown as ExecutionContext,
      };
    };
    await expect(guard.canActivate(context('in-p1').ctx)).resolves.toBe(true);
    await expect(guard.canActivate(context('in-p2').ctx)).rejects.toThrow(/no binding grants pki:revoke/);
  });
});
