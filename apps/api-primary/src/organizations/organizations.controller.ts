import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CreateOrganizationRequest, CreateOrganizationRequestSchema } from '@mazevault/contracts';
import { OrganizationEntity } from '@mazevault/persistence';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@Authenticated()
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @RequirePermission('organizations:manage')
  @ApiOperation({ summary: 'Create an organization' })
  @ApiZodBody(CreateOrganizationRequestSchema)
  @Audited({ action: 'organization.create', resourceType: 'organization', resourceRef: (_req, result) => (result as OrganizationEntity | undefined)?.id })
  create(@ValidBody(CreateOrganizationRequestSchema) body: CreateOrganizationRequest): Promise<OrganizationEntity> {
    return this.organizations.create(body);
  }

  @Get()
  @RequirePermission('organizations:manage')
  @ApiOperation({ summary: 'List organizations' })
  list(): Promise<OrganizationEntity[]> {
    return this.organizations.list();
  }

  @Post(':orgId/disable')
  @RequirePermission('organizations:manage')
  @ApiOperation({ summary: 'Disable an organization' })
  @Audited({ action: 'organization.disable', resourceType: 'organization', resourceRef: (req) => req.params?.orgId })
  disable(@Param('orgId', ParseUUIDPipe) orgId: string): Promise<OrganizationEntity> {
    return this.organizations.disable(orgId);
  }
}
