import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type LoginRequest, LoginRequestSchema } from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { Public } from '@mazevault/rbac';
import { ThrottlerGuard } from '@nestjs/throttler';
import { type AuditableRequest, attributeAuditTo } from '../audit/audit-spec.guard';
import { Audited } from '../audit/audited.decorator';
import { AuthRateLimitGuard } from './auth-rate-limit.guard';
import { AuthService } from './auth.service';
import { canonicalIdentity } from './identity.util';
import { JwtService } from './jwt.service';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly jwt: JwtService,
  ) {}

  @Post('login')
  // Per-client-IP rate limit (shared by all replicas) on top of the per-identity lockout (credential stuffing spreads identities).
  @UseGuards(AuthRateLimitGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a short-lived ES256 session token' })
  @ApiZodBody(LoginRequestSchema)
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
    },
  })
  @ApiUnauthorizedResponse({
    description: 'invalid_credentials — the same for unknown users, wrong passwords and disabled accounts',
  })
  @ApiTooManyRequestsResponse({
    description:
      'too_many_attempts — locked out after repeated failures; too_many_requests — rate limit (Retry-After)',
  })
  @ApiServiceUnavailableResponse({
    description: 'platform_degraded — Redis (lockout, rate limit) is unreachable; retry after Retry-After',
  })
  @Audited({ action: 'auth.login', resourceType: 'user', resourceRef: (req) => identityOf(req.body) })
  async login(
    @ValidBody(LoginRequestSchema) body: LoginRequest,
    @Req() request: AuditableRequest,
  ): Promise<{ token: string; expiresAt: string }> {
    const { token, expiresAt } = await this.auth.login(
      body.email,
      body.password,
      body.organization,
      (organizationId) => attributeAuditTo(request, organizationId),
    );
    return { token, expiresAt: expiresAt.toISOString() };
  }

  @Get('jwks')
  // Static public data: an in-process limit is enough, and the JWKS keeps answering while Redis is down.
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'The public keys that verify session tokens (RFC 7517 JWK Set)' })
  jwks(): { keys: object[] } {
    return this.jwt.jwks();
  }
}

function identityOf(body: unknown): string | undefined {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? canonicalIdentity(email) : undefined;
}
