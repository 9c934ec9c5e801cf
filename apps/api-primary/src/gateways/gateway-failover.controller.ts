import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type GatewayEnvironment,
  GatewayEnvironmentParamSchema,
  type GatewayFailoverChange,
  type GatewayFailoverView,
  type GatewayRole,
} from '@mazevault/contracts';
import { parseOrProblem, ProblemException } from '@mazevault/platform';
import { type AuthenticatedRequest, holdsRole, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { GatewayFailoverService } from './gateway-failover.service';
import { GatewayHealthService } from './gateway-health.service';

/** Failover is an admin's act (the seed's `$ADMIN_TOKEN`): holders of gateways:manage who are not admins get 403. */
function requireAdmin(request: AuthenticatedRequest): void {
  if (!holdsRole(request.principal, 'admin', { organizationId: request.principal.organizationId }))
    throw new ProblemException(403, 'admin_required', 'Only an organization admin operates gateway failover');
}

const environmentOf = (value: string): GatewayEnvironment =>
  parseOrProblem(GatewayEnvironmentParamSchema, value);

/** Seed "Failover Procedures": gateway health, and DR activation and failback per gateway environment. */
@ApiTags('gateways')
@Authenticated()
@Controller('admin')
export class GatewayFailoverController {
  constructor(
    private readonly failover: GatewayFailoverService,
    private readonly health: GatewayHealthService,
  ) {}

  @Get('gateway-health')
  @RequirePermission('gateways:manage')
  @ApiOperation({
    summary:
      "Every gateway's health score (0.0-1.0), heartbeat age and task role, and each environment's failover",
  })
  @Audited({ action: 'gateway.health.read', resourceType: 'gateway' })
  gatewayHealth(@Req() request: AuthenticatedRequest) {
    requireAdmin(request);
    return this.health.report(request.principal.organizationId);
  }

  @Get('failover/:env')
  @RequirePermission('gateways:manage')
  @ApiOperation({ summary: "A gateway environment's failover: the active role and the fencing epoch" })
  @ApiParam({ name: 'env', enum: ['NPR', 'PRO'] })
  @Audited({
    action: 'gateway.failover.read',
    resourceType: 'gateway_failover',
    resourceRef: (req) => req.params?.env,
  })
  get(@Param('env') env: string, @Req() request: AuthenticatedRequest): Promise<GatewayFailoverView> {
    requireAdmin(request);
    return this.failover.get(request.principal.organizationId, environmentOf(env));
  }

  @Post('failover/:env/activate-dr')
  @HttpCode(200)
  @RequirePermission('gateways:manage')
  @ApiOperation({
    summary:
      "Activate the environment's DR gateway: it polls, the primary gateway is fenced (new epoch; its leased tasks are queued again). Idempotent.",
  })
  @ApiParam({ name: 'env', enum: ['NPR', 'PRO'] })
  @Audited({
    action: 'gateway.failover.activate-dr',
    resourceType: 'gateway_failover',
    resourceRef: (req) => req.params?.env,
  })
  activateDr(
    @Param('env') env: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayFailoverChange> {
    return this.change(request, env, 'dr-standby');
  }

  @Post('failover/:env/failback')
  @HttpCode(200)
  @RequirePermission('gateways:manage')
  @ApiOperation({
    summary:
      'Fail back to the primary gateway: the DR gateway is fenced in turn (new epoch; its leased tasks are queued again). Idempotent.',
  })
  @ApiParam({ name: 'env', enum: ['NPR', 'PRO'] })
  @Audited({
    action: 'gateway.failover.failback',
    resourceType: 'gateway_failover',
    resourceRef: (req) => req.params?.env,
  })
  failback(@Param('env') env: string, @Req() request: AuthenticatedRequest): Promise<GatewayFailoverChange> {
    return this.change(request, env, 'primary');
  }

  private change(
    request: AuthenticatedRequest,
    env: string,
    role: GatewayRole,
  ): Promise<GatewayFailoverChange> {
    requireAdmin(request);
    const { principal } = request;
    return this.failover.activate(
      principal.organizationId,
      environmentOf(env),
      role,
      `${principal.type}:${principal.id}`,
    );
  }
}
