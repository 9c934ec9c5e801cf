import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type CreateUserRequest, CreateUserRequestSchema } from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { AccountService } from '../auth/account.service';
import { Authenticated } from '../auth/authenticated.decorator';
import { organizationResource } from '../organizations/platform-resource.util';
import { type UserView, UsersService } from './users.service';

/** The organization a user is created in: the body's, else the caller's; another one is platform-wide. */
const targetOrganization = (request: AuthenticatedRequest) =>
  organizationResource(request, (request.body as { organizationId?: string } | undefined)?.organizationId);

/** Whose users are listed: `?organizationId=`, else the caller's; another one is platform-wide. */
const listedOrganization = (request: AuthenticatedRequest & { query?: Record<string, unknown> }) => {
  const requested = request.query?.['organizationId'];
  return organizationResource(request, typeof requested === 'string' ? requested : undefined);
};

@ApiTags('users')
@Authenticated()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountService,
  ) {}

  @Post()
  @RequirePermission('users:manage', targetOrganization)
  @ApiOperation({ summary: 'Create a user (optionally with an organization-wide role)' })
  @ApiZodBody(CreateUserRequestSchema)
  @Audited({
    action: 'user.create',
    resourceType: 'user',
    resourceRef: (_req, result) => (result as UserView | undefined)?.id,
  })
  create(
    @ValidBody(CreateUserRequestSchema) body: CreateUserRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserView> {
    return this.users.create(request.principal, {
      ...body,
      organizationId: body.organizationId ?? request.principal.organizationId,
    });
  }

  @Get()
  @RequirePermission('users:read', listedOrganization)
  @ApiOperation({
    summary: "List the users of the caller's organization (a platform admin may name another)",
  })
  @ApiQuery({ name: 'organizationId', required: false })
  list(
    @Req() request: AuthenticatedRequest,
    @Query('organizationId', new ParseUUIDPipe({ optional: true })) organizationId?: string,
  ): Promise<UserView[]> {
    return this.users.list(organizationId ?? request.principal.organizationId);
  }

  @Post(':userId/reset-password')
  @HttpCode(200)
  @RequirePermission('users:manage')
  @ApiOperation({
    summary:
      "Reset a user's password: a generated one is returned once; its sessions end and its lockout is lifted",
  })
  @Audited({ action: 'user.password.reset', resourceType: 'user', resourceRef: (req) => req.params?.userId })
  resetPassword(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserView & { password: string }> {
    return this.accounts.resetPassword(request.principal, userId);
  }

  @Post(':userId/enable')
  @HttpCode(200)
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'Re-enable a disabled user' })
  @Audited({ action: 'user.enable', resourceType: 'user', resourceRef: (req) => req.params?.userId })
  enable(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserView> {
    return this.accounts.enable(request.principal, userId);
  }

  @Post(':userId/unlock')
  @HttpCode(204)
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'Lift a login lockout (too many failed attempts) before it expires' })
  @Audited({ action: 'user.unlock', resourceType: 'user', resourceRef: (req) => req.params?.userId })
  unlock(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<void> {
    return this.accounts.unlock(request.principal, userId);
  }

  @Post(':userId/disable')
  @RequirePermission('users:manage')
  @ApiOperation({
    summary: 'Disable a user: its sessions and API tokens stop working at once',
    description:
      "Not yourself (409 cannot_disable_self), not the organization's last admin (409 last_admin).",
  })
  @Audited({ action: 'user.disable', resourceType: 'user', resourceRef: (req) => req.params?.userId })
  disable(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserView> {
    return this.users.disable(request.principal, userId);
  }
}
