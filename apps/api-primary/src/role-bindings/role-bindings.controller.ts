import { Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type CreateRoleBindingRequest, CreateRoleBindingRequestSchema } from '@mazevault/contracts';
import { RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { ApiZodBody, ProblemException, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { DataSource } from 'typeorm';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { PrincipalService } from '../auth/principal.service';
import { isUniqueViolation } from '../database/postgres-errors.util';

@ApiTags('rbac')
@Authenticated()
@Controller('role-bindings')
export class RoleBindingsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly principals: PrincipalService,
  ) {}

  @Post()
  @RequirePermission('rbac:manage')
  @ApiOperation({ summary: 'Grant a role to a user on the organization, a project or an environment' })
  @ApiZodBody(CreateRoleBindingRequestSchema)
  @Audited({ action: 'role_binding.create', resourceType: 'role_binding', resourceRef: (_req, result) => (result as RoleBindingEntity | undefined)?.id })
  async create(@ValidBody(CreateRoleBindingRequestSchema) body: CreateRoleBindingRequest, @Req() request: AuthenticatedRequest): Promise<RoleBindingEntity> {
    const organizationId = request.principal.organizationId;
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: body.userId, organizationId });
    if (!user) throw new ProblemException(404, 'user_not_found', 'No such user in this organization');
    try {
      return await this.dataSource.getRepository(RoleBindingEntity).save({
        userId: user.id,
        roleName: body.role,
        organizationId,
        projectId: body.projectId ?? null,
        environmentId: body.environmentId ?? null,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException(409, 'binding_exists', 'This user already has this role on this scope');
      throw error;
    }
  }

  @Get()
  @RequirePermission('rbac:manage')
  @ApiOperation({ summary: "List the organization's role bindings" })
  @ApiQuery({ name: 'userId', required: false })
  list(@Req() request: AuthenticatedRequest, @Query('userId', new ParseUUIDPipe({ optional: true })) userId?: string): Promise<RoleBindingEntity[]> {
    return this.dataSource.getRepository(RoleBindingEntity).find({
      where: { organizationId: request.principal.organizationId, ...(userId ? { userId } : {}) },
      order: { createdAt: 'ASC' },
      take: 1000,
    });
  }

  @Delete(':bindingId')
  @HttpCode(204)
  @RequirePermission('rbac:manage')
  @ApiOperation({ summary: 'Remove a role binding' })
  @Audited({ action: 'role_binding.delete', resourceType: 'role_binding', resourceRef: (req) => req.params?.bindingId })
  async remove(@Param('bindingId', ParseUUIDPipe) bindingId: string, @Req() request: AuthenticatedRequest): Promise<void> {
    const result = await this.dataSource.getRepository(RoleBindingEntity).delete({ id: bindingId, organizationId: request.principal.organizationId });
    if (!result.affected) throw new ProblemException(404, 'binding_not_found', 'No such role binding');
    await this.principals.invalidateAll();
  }
}
