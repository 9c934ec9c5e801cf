import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type CreateProfileRequest,
  CreateProfileRequestSchema,
  type UpdateProfileRequest,
  UpdateProfileRequestSchema,
} from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { CertificateProfilesService, type ProfileView } from './certificate-profiles.service';

/** Certificate profiles (roles): what may be issued from which CA. */
@ApiTags('pki')
@Authenticated()
@Controller('pki/profiles')
export class CertificateProfilesController {
  constructor(private readonly profiles: CertificateProfilesService) {}

  @Post()
  @RequirePermission('pki:manage')
  @ApiOperation({
    summary:
      'Create a profile bound to a CA (allowed names, SAN types, key types, TTL, usages, subject template)',
  })
  @ApiZodBody(CreateProfileRequestSchema)
  @Audited({
    action: 'certificate_profile.create',
    resourceType: 'certificate_profile',
    resourceRef: (req) => (req.body as { name?: string })?.name,
  })
  create(
    @ValidBody(CreateProfileRequestSchema) body: CreateProfileRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ProfileView> {
    return this.profiles.create(request.principal.organizationId, body);
  }

  @Get()
  @RequirePermission('pki:issue')
  @ApiOperation({ summary: 'List profiles' })
  list(@Req() request: AuthenticatedRequest): Promise<ProfileView[]> {
    return this.profiles.list(request.principal.organizationId);
  }

  @Get(':profile')
  @RequirePermission('pki:issue')
  @ApiOperation({ summary: 'A profile, by id or name' })
  @ApiParam({ name: 'profile' })
  get(@Param('profile') profile: string, @Req() request: AuthenticatedRequest): Promise<ProfileView> {
    return this.profiles.get(request.principal.organizationId, profile);
  }

  @Put(':profile')
  @RequirePermission('pki:manage')
  @ApiOperation({ summary: 'Replace a profile definition' })
  @ApiParam({ name: 'profile' })
  @ApiZodBody(UpdateProfileRequestSchema)
  @Audited({
    action: 'certificate_profile.update',
    resourceType: 'certificate_profile',
    resourceRef: (req) => req.params?.profile,
  })
  update(
    @Param('profile') profile: string,
    @ValidBody(UpdateProfileRequestSchema) body: UpdateProfileRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ProfileView> {
    return this.profiles.update(request.principal.organizationId, profile, body.definition);
  }

  @Delete(':profile')
  @HttpCode(204)
  @RequirePermission('pki:manage')
  @ApiOperation({ summary: 'Delete a profile (issued certificates stay)' })
  @ApiParam({ name: 'profile' })
  @Audited({
    action: 'certificate_profile.delete',
    resourceType: 'certificate_profile',
    resourceRef: (req) => req.params?.profile,
  })
  async remove(@Param('profile') profile: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.profiles.remove(request.principal.organizationId, profile);
  }
}
