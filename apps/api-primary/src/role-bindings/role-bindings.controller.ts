import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type CreateRoleBindingRequest, CreateRoleBindingRequestSchema } from '@mazevault/contracts';
import { RoleBindingEntity } from '@mazevault/persistence';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { DataSource } from 'typeorm';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { RoleBindingsService } from './role-bindings.service';

@ApiTags('rbac')
@Authenticated()
@Controller('role-bindings')
export class RoleBindingsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly bindings: RoleBindingsService,
  ) {}

  @Post()
  @RequirePermission('rbac:manage')
  @ApiOperation({
    summary: 'Grant a role to a user on the organization, a project or an environment',
    description:
      'You can grant only a role whose every permission you hold on that scope; only an admin grants admin; nobody changes their own bindings.',
  })
  @ApiZodBody(CreateRoleBindingRequestSchema)
  @Audited({
    action: 'role_binding.create',
    resourceType: 'role_binding',
    resourceRef: (_req, result) => (result as RoleBindingEntity | undefined)?.id,
  })
  create(
    @ValidBody(CreateRoleBindingRequestSchema) body: CreateRoleBindingRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<RoleBindingEntity> {
    return this.bindings.create(request.principal, body);
  }

  @Get()
  @RequirePermission('rbac:manage')
  @ApiOperation({ summary: "List the organization's role bindings" })
  @ApiQuery({ name: 'userId', required: false })
  list(
    @Req() request: AuthenticatedRequest,
    @Query('userId', new ParseUUIDPipe({ optional: true })) userId?: string,
  ): Promise<RoleBindingEntity[]> {
    return this.dataSource.getRepository(RoleBindingEntity).find({
      where: { organizationId: request.principal.organizationId, ...(userId ? { userId } : {}) },
      order: { createdAt: 'ASC' },
      take: 1000,
    });
  }

  @Delete(':bindingId')
  @HttpCode(204)
  @RequirePermission('rbac:manage')
  @ApiOperation({
    summary: 'Remove a role binding',
    description: "Same rule as granting; the organization's last admin cannot be removed (409 last_admin).",
  })
  @Audited({
    action: 'role_binding.delete',
    resourceType: 'role_binding',
    resourceRef: (req) => req.params?.bindingId,
  })
  remove(
    @Param('bindingId', ParseUUIDPipe) bindingId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    return this.bindings.remove(request.principal, bindingId);
  }
}
