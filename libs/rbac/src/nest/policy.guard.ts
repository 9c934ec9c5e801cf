import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { PolicyDecisionPoint } from '../policy-decision-point';
import { ACTS_ON_SELF_KEY } from './acts-on-self.decorator';
import { IS_PUBLIC_KEY } from './public.decorator';
import type { AuthenticatedRequest, RequestWithPrincipal } from './request-with-principal.type';
import { REQUIRE_PERMISSION_KEY, type PermissionRequirement } from './require-permission.decorator';

export const NO_PERMISSION_DECLARED = 'no permission declared for handler';

/**
 * Global HTTP guard enforcing `@RequirePermission` through the policy decision point. Default deny:
 * a non-public handler without a declared permission is refused, so a forgotten decorator fails
 * closed. Runs after authentication, which is expected to have set `request.principal`.
 * The PDP is injected by class token: provide `{ provide: PolicyDecisionPoint, useValue: ... }`.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly pdp: PolicyDecisionPoint,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  private readonly services = {
    get: <T>(token: abstract new (...args: never[]) => T): T => {
      if (!this.moduleRef)
        throw new Error('PolicyGuard: resource resolvers need ModuleRef to look up services');
      return this.moduleRef.get(token as never, { strict: false });
    },
  };

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const principal = request.principal;
    if (!principal) throw new UnauthorizedException();

    const requirement = this.reflector.getAllAndOverride<PermissionRequirement | undefined>(
      REQUIRE_PERMISSION_KEY,
      targets,
    );
    if (!requirement && this.reflector.getAllAndOverride<boolean>(ACTS_ON_SELF_KEY, targets)) {
      request.authzDecision = { decision: true, reason: 'acts on the caller only' };
      return true;
    }
    if (!requirement) {
      request.authzDecision = { decision: false, reason: NO_PERMISSION_DECLARED };
      throw new ForbiddenException(NO_PERMISSION_DECLARED);
    }

    const action = requirement.permission;
    // Pass the live request (not a copy): framework requests expose data through prototype getters.
    const resource = await requirement.resolveResource(request as AuthenticatedRequest, this.services);
    const { decision, reason } = this.pdp.evaluate(principal, action, resource);
    request.authzDecision = { action, resource, decision, reason };
    if (!decision) throw new ForbiddenException(reason);
    return true;
  }
}
