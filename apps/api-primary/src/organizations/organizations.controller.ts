import { Controller, Get, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type CreateOrganizationAdminRequest,
  CreateOrganizationAdminRequestSchema,
  type CreateOrganizationRequest,
  CreateOrganizationRequestSchema,
} from '@mazevault/contracts';
import { OrganizationEntity } from '@mazevault/persistence';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import type { UserView } from '../users/users.service';
import { OrganizationsService } from './organizations.service';
import { platformResource } from './platform-resource.util';

/**
 * Organizations are the platform's tenants: only a platform admin creates, lists and disables them
 * and creates their first admins; an organization admin sees its own organization only.
 */
@ApiTags('organizations')
@Authenticated()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @RequirePermission('organizations:manage', (req) => platformResource(req))
  @ApiOperation({ summary: 'Create an organization (platform admin)' })
  @ApiZodBody(CreateOrganizationRequestSchema)
  @Audited({
    action: 'organization.create',
    resourceType: 'organization',
    resourceRef: (_req, result) => (result as OrganizationEntity | undefined)?.id,
  })
  create(
    @ValidBody(CreateOrganizationRequestSchema) body: CreateOrganizationRequest,
  ): Promise<OrganizationEntity> {
    return this.organizations.create(body);
  }

  @Get()
  @RequirePermission('organizations:manage')
  @ApiOperation({ summary: "List organizations: every one for a platform admin, else only the caller's own" })
  list(@Req() request: AuthenticatedRequest): Promise<OrganizationEntity[]> {
    return this.organizations.list(request.principal);
  }

  @Post(':orgId/admins')
  @RequirePermission('organizations:manage', (req) => platformResource(req))
  @ApiOperation({
    summary: 'Create an admin of the organization (platform admin); its generated password is shown once',
  })
  @ApiZodBody(CreateOrganizationAdminRequestSchema)
  @ApiCreatedResponse({
    description: 'The user, and its password in `password`: hand it over now, it is never shown again',
  })
  @Audited({
    action: 'organization.admin.create',
    resourceType: 'user',
    resourceRef: (_req, result) => (result as UserView | undefined)?.id,
  })
  createAdmin(
    @Param('orgId', ParseUUIDPipe) orgId: string,
    @ValidBody(CreateOrganizationAdminRequestSchema) body: CreateOrganizationAdminRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<UserView & { password: string }> {
    return this.organizations.createAdmin(request.principal, orgId, body);
  }

  @Post(':orgId/disable')
  @RequirePermission('organizations:manage', (req) => platformResource(req))
  @ApiOperation({ summary: 'Disable an organization (platform admin; not its own)' })
  @Audited({
    action: 'organization.disable',
    resourceType: 'organization',
    resourceRef: (req) => req.params?.orgId,
  })
  disable(
    @Param('orgId', ParseUUIDPipe) orgId: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<OrganizationEntity> {
    return this.organizations.disable(request.principal, orgId);
  }
}
