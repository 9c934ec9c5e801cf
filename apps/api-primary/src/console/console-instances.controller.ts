import { Controller, Get, Headers, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  type CreateConsoleInstanceRequest,
  CreateConsoleInstanceRequestSchema,
  type UpsertConsoleConnectionRequest,
  UpsertConsoleConnectionRequestSchema,
} from '@mazevault/contracts';
import { ApiZodBody, ProblemException, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, Public, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { type ConsoleInstanceView, ConsoleInstancesService } from './console-instances.service';

const instanceRef = (req: { params?: Record<string, string> }) => req.params?.instanceId;

@ApiTags('console')
@Authenticated()
@Controller('console/instances')
export class ConsoleInstancesController {
  constructor(private readonly instances: ConsoleInstancesService) {}

  @Post()
  @RequirePermission('integrations:manage')
  @ApiOperation({
    summary:
      'Create an instance: its registration token goes to the vault as instance-{id} and is returned once',
  })
  @ApiZodBody(CreateConsoleInstanceRequestSchema)
  @Audited({
    action: 'console.instance.create',
    resourceType: 'console_instance',
    resourceRef: (_req, result) => (result as ConsoleInstanceView | undefined)?.id,
  })
  create(
    @ValidBody(CreateConsoleInstanceRequestSchema) body: CreateConsoleInstanceRequest,
    @Req() request: AuthenticatedRequest,
  ) {
    return this.instances.create(request.principal.organizationId, body);
  }

  @Get(':instanceId')
  @RequirePermission('integrations:manage')
  @ApiOperation({ summary: "An instance and its secrets' key names (never values)" })
  get(
    @Param('instanceId') instanceId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<ConsoleInstanceView> {
    return this.instances.get(request.principal.organizationId, instanceId);
  }

  @Put(':instanceId/connection')
  @RequirePermission('integrations:manage')
  @ApiOperation({
    summary: 'Store the database URI and OIDC client secret as instance-{id}-dburi / -oidc-secret',
  })
  @ApiZodBody(UpsertConsoleConnectionRequestSchema)
  @Audited({
    action: 'console.instance.connection.upsert',
    resourceType: 'console_instance',
    resourceRef: instanceRef,
  })
  upsertConnection(
    @Param('instanceId') instanceId: string,
    @ValidBody(UpsertConsoleConnectionRequestSchema) body: UpsertConsoleConnectionRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ConsoleInstanceView> {
    return this.instances.upsertConnection(request.principal.organizationId, instanceId, body);
  }

  @Post(':instanceId/rotate-token')
  @HttpCode(200)
  @RequirePermission('integrations:manage')
  @ApiOperation({
    summary: 'Rotate the registration token (same vault name, new version); the new token is returned once',
  })
  @Audited({
    action: 'console.instance.token.rotate',
    resourceType: 'console_instance',
    resourceRef: instanceRef,
  })
  rotate(@Param('instanceId') instanceId: string, @Req() request: AuthenticatedRequest) {
    return this.instances.rotateToken(request.principal.organizationId, instanceId);
  }
}

/** Instances authenticate with their registration token, not a user credential. */
@ApiTags('console')
@Public()
@UseGuards(ThrottlerGuard)
@Controller('console/instances')
export class ConsoleInstanceAuthController {
  constructor(private readonly instances: ConsoleInstancesService) {}

  @Post(':instanceId/authenticate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an instance registration token (Authorization: Bearer <token>)' })
  @ApiHeader({ name: 'authorization', required: true })
  @Audited({
    action: 'console.instance.authenticate',
    resourceType: 'console_instance',
    resourceRef: instanceRef,
  })
  async authenticate(
    @Param('instanceId') instanceId: string,
    @Headers('authorization') authorization?: string,
  ): Promise<{ ok: true }> {
    const token = /^Bearer (\S{16,512})$/.exec(authorization ?? '')?.[1];
    if (!token || !(await this.instances.authenticate(instanceId, token))) {
      throw new ProblemException(401, 'invalid_instance_token', 'The instance token is invalid', {
        headers: { 'www-authenticate': 'Bearer realm="mazevault-console"' },
      });
    }
    return { ok: true };
  }
}
