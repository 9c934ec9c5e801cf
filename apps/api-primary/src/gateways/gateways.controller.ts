import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type GatewayBootstrapRequest,
  GatewayBootstrapRequestSchema,
  type GatewayBootstrapResponse,
} from '@mazevault/contracts';
import { ApiZodBody, ProblemException, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, holdsRole, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { actorOf } from '../pki/pki-actor.util';
import {
  type BootstrapTokenView,
  GatewayEnrollmentService,
  type GatewayView,
} from './gateway-enrollment.service';

/**
 * Creating and revoking mTLS identities is an admin's act (the seed's "admin only"), though
 * security-officers hold gateways:manage to list gateways and tokens and to disable gateways.
 */
function requireAdmin(request: AuthenticatedRequest, detail: string): void {
  if (!holdsRole(request.principal, 'admin', { organizationId: request.principal.organizationId }))
    throw new ProblemException(403, 'admin_required', detail);
}

/** The admin side of gateways (on the admin port; the gateways themselves talk to the mTLS listener). */
@ApiTags('gateways')
@Authenticated()
@Controller('gateways')
export class GatewaysController {
  constructor(private readonly enrollment: GatewayEnrollmentService) {}

  @Post('bootstrap')
  @HttpCode(201)
  @RequirePermission('gateways:manage')
  @ApiOperation({
    summary:
      'A bootstrap package: a pending gateway, its one-time token (returned once) and the platform CA to pin',
  })
  @ApiZodBody(GatewayBootstrapRequestSchema)
  @Audited({
    action: 'gateway.bootstrap',
    resourceType: 'gateway',
    resourceRef: (_req, result) => (result as GatewayBootstrapResponse | undefined)?.gatewayId,
  })
  bootstrap(
    @ValidBody(GatewayBootstrapRequestSchema) body: GatewayBootstrapRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayBootstrapResponse> {
    requireAdmin(request, 'Only an organization admin creates gateway bootstrap tokens');
    return this.enrollment.bootstrap(actorOf(request), body);
  }

  @Post(':gatewayId/bootstrap')
  @HttpCode(201)
  @RequirePermission('gateways:manage')
  @ApiOperation({
    summary:
      'A new one-time token for an existing gateway (re-enrollment keeping its id, environment and role)',
  })
  @Audited({
    action: 'gateway.bootstrap',
    resourceType: 'gateway',
    resourceRef: (req) => req.params?.gatewayId,
  })
  reissueBootstrap(
    @Param('gatewayId', ParseUUIDPipe) gatewayId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayBootstrapResponse> {
    requireAdmin(request, 'Only an organization admin creates gateway bootstrap tokens');
    return this.enrollment.reissueBootstrap(actorOf(request), gatewayId);
  }

  @Get('bootstrap-tokens')
  @RequirePermission('gateways:manage')
  @ApiOperation({ summary: 'Bootstrap tokens (metadata only: never the token or its hash)' })
  listTokens(@Req() request: AuthenticatedRequest): Promise<{ tokens: BootstrapTokenView[] }> {
    return this.enrollment.listTokens(request.principal.organizationId);
  }

  @Post('bootstrap-tokens/:tokenId/revoke')
  @HttpCode(200)
  @RequirePermission('gateways:manage')
  @ApiOperation({ summary: 'Revoke an unused bootstrap token: registration with it is refused' })
  @Audited({
    action: 'gateway.bootstrap_token.revoke',
    resourceType: 'gateway_bootstrap_token',
    resourceRef: (req) => req.params?.tokenId,
  })
  revokeToken(
    @Param('tokenId', ParseUUIDPipe) tokenId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<BootstrapTokenView> {
    requireAdmin(request, 'Only an organization admin revokes gateway bootstrap tokens');
    return this.enrollment.revokeToken(request.principal.organizationId, tokenId);
  }

  @Post(':gatewayId/revoke-certificate')
  @HttpCode(200)
  @RequirePermission('gateways:manage')
  @ApiOperation({
    summary:
      "Revoke the gateway's certificate: refused from its next request on; it re-enrolls with a new token",
  })
  @Audited({
    action: 'gateway.certificate.revoke',
    resourceType: 'gateway',
    resourceRef: (req) => req.params?.gatewayId,
  })
  revokeCertificate(
    @Param('gatewayId', ParseUUIDPipe) gatewayId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayView & { revokedSerial: string | null }> {
    requireAdmin(request, "Only an organization admin revokes a gateway's certificate");
    return this.enrollment.revokeCertificate(request.principal.organizationId, gatewayId);
  }

  @Get()
  @RequirePermission('gateways:manage')
  @ApiOperation({ summary: "The organization's gateways with their last heartbeat" })
  list(@Req() request: AuthenticatedRequest): Promise<{ gateways: GatewayView[] }> {
    return this.enrollment.list(request.principal.organizationId);
  }

  @Post(':gatewayId/disable')
  @HttpCode(200)
  @RequirePermission('gateways:manage')
  @ApiOperation({ summary: 'Disable a gateway: its next request on the gateway listener is refused' })
  @Audited({
    action: 'gateway.disable',
    resourceType: 'gateway',
    resourceRef: (req) => req.params?.gatewayId,
  })
  disable(
    @Param('gatewayId', ParseUUIDPipe) gatewayId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayView> {
    return this.enrollment.disable(request.principal.organizationId, gatewayId);
  }
}
