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
import { GatewayEnrollmentService, type GatewayView } from './gateway-enrollment.service';

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
    // A bootstrap token makes a new mTLS identity: an admin's act (the seed's "admin only"), though
    // security-officers hold gateways:manage to list and disable gateways.
    if (!holdsRole(request.principal, 'admin', { organizationId: request.principal.organizationId })) {
      throw new ProblemException(
        403,
        'admin_required',
        'Only an organization admin creates gateway bootstrap tokens',
      );
    }
    return this.enrollment.bootstrap(actorOf(request), body);
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
