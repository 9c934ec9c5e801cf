import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@mazevault/platform';
import { IS_PUBLIC_KEY, type RequestWithPrincipal } from '@mazevault/rbac';
import { PrincipalService } from './principal.service';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="mazevault"' };

/**
 * Global authentication: every non-public handler needs `Authorization: Bearer <JWT | API token>`.
 * It runs before the PolicyGuard, which then decides what the principal may do.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]))
      return true;
    const request = context
      .switchToHttp()
      .getRequest<RequestWithPrincipal & { headers: Record<string, string | undefined> }>();
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{10,4096})$/.exec(request.headers.authorization ?? '');
    if (!match) {
      throw new ProblemException(401, 'unauthenticated', 'A bearer token is required', {
        headers: CHALLENGE,
      });
    }
    const principal = await this.principals.resolve(match[1]);
    if (!principal) {
      throw new ProblemException(401, 'invalid_token', 'The bearer token is invalid, expired or revoked', {
        headers: CHALLENGE,
      });
    }
    request.principal = principal;
    return true;
  }
}
