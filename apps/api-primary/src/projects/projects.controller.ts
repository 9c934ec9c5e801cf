import { Controller, Get, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type CreateEnvironmentRequest,
  CreateEnvironmentRequestSchema,
  type CreateProjectRequest,
  CreateProjectRequestSchema,
} from '@mazevault/contracts';
import { ApiZodBody, ValidBody } from '@mazevault/platform';
import { type AuthenticatedRequest, narrowestListResource, PolicyDecisionPoint, RequirePermission } from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { type ProjectView, ProjectsService } from './projects.service';
import { projectScopeOf } from './request-scope.util';

@ApiTags('projects')
@Authenticated()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @RequirePermission('projects:manage')
  @ApiOperation({ summary: 'Create a project with its environments (default dev, test, prod) and its key-encryption key' })
  @ApiZodBody(CreateProjectRequestSchema)
  @Audited({ action: 'project.create', resourceType: 'project', resourceRef: (_req, result) => (result as ProjectView | undefined)?.id })
  create(@ValidBody(CreateProjectRequestSchema) body: CreateProjectRequest, @Req() request: AuthenticatedRequest): Promise<ProjectView> {
    return this.projects.create(request.principal.organizationId, body);
  }

  @Get()
  // Anyone with projects:read somewhere may list; the service keeps what the caller may read.
  @RequirePermission('projects:read', (req, services) => narrowestListResource(services.get(PolicyDecisionPoint), req.principal, 'projects:read', 'project'))
  @ApiOperation({ summary: 'List the projects and environments the caller may read (all of them with an organization-wide grant)' })
  list(@Req() request: AuthenticatedRequest): Promise<ProjectView[]> {
    return this.projects.list(request.principal);
  }

  @Post(':projectId/environments')
  @RequirePermission('projects:manage')
  @ApiOperation({ summary: 'Add an environment to a project' })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  @ApiZodBody(CreateEnvironmentRequestSchema)
  @Audited({ action: 'environment.create', resourceType: 'environment', resourceRef: (req) => (req as AuthenticatedRequest).resolvedScope?.projectId ?? req.params?.projectId })
  addEnvironment(@Req() request: AuthenticatedRequest, @ValidBody(CreateEnvironmentRequestSchema) body: CreateEnvironmentRequest) {
    return this.projects.addEnvironment(projectScopeOf(request), body);
  }
}
