import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type CreateGatewayTaskRequest,
  CreateGatewayTaskRequestSchema,
  type GatewayTasksQuery,
  GatewayTasksQuerySchema,
  type GatewayTaskView,
} from '@mazevault/contracts';
import { ApiZodBody, ApiZodQuery, ValidBody, ValidQuery } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission, type Resource } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { GatewayTasksService } from './gateway-tasks.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The permission is taken on the project environment the task is about (from the body, before it is
 * validated: a malformed id only narrows nothing and the body is refused next), so an API token
 * scoped to one project — a CI pipeline triggering a rotation — may queue tasks for it and no other.
 */
function taskResource(request: AuthenticatedRequest): Resource {
  const body = (request.body ?? {}) as { projectId?: unknown; environmentId?: unknown };
  const projectId =
    typeof body.projectId === 'string' && UUID.test(body.projectId) ? body.projectId : undefined;
  const environmentId =
    projectId && typeof body.environmentId === 'string' && UUID.test(body.environmentId)
      ? body.environmentId
      : undefined;
  return {
    type: 'organization',
    scope: {
      organizationId: request.principal.organizationId,
      ...(projectId ? { projectId } : {}),
      ...(environmentId ? { environmentId } : {}),
    },
  };
}

/** Gateway tasks on the admin API: queue one for an environment's active gateway, read them back. */
@ApiTags('gateways')
@Authenticated()
@Controller('gateways/tasks')
export class GatewayTasksController {
  constructor(private readonly tasks: GatewayTasksService) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('gateways:manage', (req) => taskResource(req))
  @ApiOperation({
    summary:
      "Queue a task (ping, sync-secrets, rotate-vault-secret) for the active gateway of the project environment's gateway environment",
    description:
      "The gateway environment comes from the environment's classification (422 environment_not_classified when it has none). Idempotent per idempotencyKey: the same key and parameters answer the existing task, other parameters 409.",
  })
  @ApiZodBody(CreateGatewayTaskRequestSchema)
  @Audited({
    action: 'gateway.task.create',
    resourceType: 'gateway_task',
    resourceRef: (_req, result) => (result as GatewayTaskView | undefined)?.id,
  })
  async create(
    @ValidBody(CreateGatewayTaskRequestSchema) body: CreateGatewayTaskRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayTaskView> {
    const { principal } = request;
    return (
      await this.tasks.create(
        { organizationId: principal.organizationId, ref: `${principal.type}:${principal.id}` },
        body,
      )
    ).task;
  }

  @Get()
  @RequirePermission('gateways:manage')
  @ApiOperation({ summary: 'Recent gateway tasks, newest first (filter by status and environment)' })
  @ApiZodQuery(GatewayTasksQuerySchema)
  list(
    @ValidQuery(GatewayTasksQuerySchema) query: GatewayTasksQuery,
    @Req() request: AuthenticatedRequest,
  ): Promise<{ tasks: GatewayTaskView[] }> {
    return this.tasks.list(request.principal.organizationId, query);
  }

  @Get(':taskId')
  @RequirePermission('gateways:manage', async (req, services) => {
    const id = req.params?.taskId ?? '';
    const scope = UUID.test(id)
      ? await services.get(GatewayTasksService).scopeOf(req.principal.organizationId, id)
      : {};
    return { type: 'organization', scope: { organizationId: req.principal.organizationId, ...scope } };
  })
  @ApiOperation({ summary: 'One gateway task: status, attempts, lease, error code and output summary' })
  get(
    @Param('taskId', ParseUUIDPipe) taskId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<GatewayTaskView> {
    return this.tasks.get(request.principal.organizationId, taskId);
  }
}
