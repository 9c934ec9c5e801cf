import { Controller, Delete, Get, HttpCode, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type CreateEnvironmentRequest,
  CreateEnvironmentRequestSchema,
  type CreateProjectRequest,
  CreateProjectRequestSchema,
  type DeleteScopeQuery,
  DeleteScopeQuerySchema,
  type RenameRequest,
  RenameRequestSchema,
  type UpdateEnvironmentRequest,
  UpdateEnvironmentRequestSchema,
} from '@mazevault/contracts';
import { ApiZodBody, ApiZodQuery, ValidBody, ValidQuery } from '@mazevault/platform';
import {
  type AuthenticatedRequest,
  grantedScopes,
  narrowestListResource,
  PolicyDecisionPoint,
  RequirePermission,
  type Resource,
} from '@mazevault/rbac';
import { Audited } from '../audit/audited.decorator';
import { Authenticated } from '../auth/authenticated.decorator';
import { type ProjectView, ProjectsService } from './projects.service';
import { environmentScopeOf, projectScopeOf } from './request-scope.util';

const projectRef = (req: unknown) =>
  (req as AuthenticatedRequest).resolvedScope?.projectId ?? (req as AuthenticatedRequest).params?.projectId;
const environmentRef = (req: unknown) =>
  (req as AuthenticatedRequest).resolvedScope?.environmentId ??
  (req as AuthenticatedRequest).params?.environmentId;

/** The project, or else the first environment of it on which the caller holds projects:read (the PDP then admits it). */
function readableProjectResource(pdp: PolicyDecisionPoint, request: AuthenticatedRequest): Resource {
  const scope = projectScopeOf(request);
  const project = { organizationId: scope.organizationId, projectId: scope.projectId };
  const environment = grantedScopes(pdp, request.principal, 'projects:read', 'project').find(
    (granted) => granted.projectId === scope.projectId && granted.environmentId,
  );
  return { type: 'project', scope: environment ?? project };
}

@ApiTags('projects')
@Authenticated()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @RequirePermission('projects:manage')
  @ApiOperation({
    summary: 'Create a project with its environments (default dev, test, prod) and its key-encryption key',
  })
  @ApiZodBody(CreateProjectRequestSchema)
  @Audited({
    action: 'project.create',
    resourceType: 'project',
    resourceRef: (_req, result) => (result as ProjectView | undefined)?.id,
  })
  create(
    @ValidBody(CreateProjectRequestSchema) body: CreateProjectRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<ProjectView> {
    return this.projects.create(request.principal.organizationId, body);
  }

  @Get()
  // Anyone with projects:read somewhere may list; the service keeps what the caller may read.
  @RequirePermission('projects:read', (req, services) =>
    narrowestListResource(services.get(PolicyDecisionPoint), req.principal, 'projects:read', 'project'),
  )
  @ApiOperation({
    summary:
      'List the projects and environments the caller may read (all of them with an organization-wide grant)',
  })
  list(@Req() request: AuthenticatedRequest): Promise<ProjectView[]> {
    return this.projects.list(request.principal);
  }

  @Post(':projectId/environments')
  @RequirePermission('projects:manage')
  @ApiOperation({ summary: 'Add an environment to a project' })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  @ApiZodBody(CreateEnvironmentRequestSchema)
  @Audited({
    action: 'environment.create',
    resourceType: 'environment',
    resourceRef: (req) => (req as AuthenticatedRequest).resolvedScope?.projectId ?? req.params?.projectId,
  })
  addEnvironment(
    @Req() request: AuthenticatedRequest,
    @ValidBody(CreateEnvironmentRequestSchema) body: CreateEnvironmentRequest,
  ) {
    return this.projects.addEnvironment(projectScopeOf(request), body);
  }

  @Get(':projectId')
  // A caller bound only to environments of the project reads it too (and sees just those environments).
  @RequirePermission('projects:read', (req, services) =>
    readableProjectResource(services.get(PolicyDecisionPoint), req as AuthenticatedRequest),
  )
  @ApiOperation({ summary: 'A project and the environments the caller may read' })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  get(@Req() request: AuthenticatedRequest): Promise<ProjectView> {
    return this.projects.get(request.principal, projectScopeOf(request));
  }

  @Patch(':projectId')
  @RequirePermission('projects:manage')
  @ApiOperation({ summary: 'Rename a project (its display name; the slug in paths and URIs stays)' })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  @ApiZodBody(RenameRequestSchema)
  @Audited({ action: 'project.update', resourceType: 'project', resourceRef: projectRef })
  rename(
    @Req() request: AuthenticatedRequest,
    @ValidBody(RenameRequestSchema) body: RenameRequest,
  ): Promise<ProjectView> {
    return this.projects.rename(request.principal, projectScopeOf(request), body.name);
  }

  @Delete(':projectId')
  @HttpCode(204)
  @RequirePermission('projects:manage')
  @ApiOperation({
    summary: 'Delete a project: refused (409 project_not_empty) while it holds secrets unless force=true',
    description:
      'Its environments, secrets, versions and key are deleted; role bindings, group mappings and API tokens scoped to it are deleted; certificate profiles bound to it are detached to the organization.',
  })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  @ApiZodQuery(DeleteScopeQuerySchema)
  @Audited({ action: 'project.delete', resourceType: 'project', resourceRef: projectRef })
  async remove(
    @Req() request: AuthenticatedRequest,
    @ValidQuery(DeleteScopeQuerySchema) query: DeleteScopeQuery,
  ): Promise<void> {
    await this.projects.remove(projectScopeOf(request), query.force === 'true');
  }

  @Patch(':projectId/environments/:environmentId')
  @RequirePermission('projects:manage')
  @ApiOperation({
    summary:
      'Rename an environment (its display name; the slug stays) and/or classify it for gateways (gatewayEnvironment NPR, PRO or null: no gateway receives its secrets)',
  })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  @ApiParam({ name: 'environmentId', description: 'environment id or slug' })
  @ApiZodBody(UpdateEnvironmentRequestSchema)
  @Audited({ action: 'environment.update', resourceType: 'environment', resourceRef: environmentRef })
  updateEnvironment(
    @Req() request: AuthenticatedRequest,
    @ValidBody(UpdateEnvironmentRequestSchema) body: UpdateEnvironmentRequest,
  ) {
    return this.projects.updateEnvironment(environmentScopeOf(request), body);
  }

  @Delete(':projectId/environments/:environmentId')
  @HttpCode(204)
  @RequirePermission('projects:manage')
  @ApiOperation({
    summary:
      'Delete an environment: refused (409 environment_not_empty) while it holds secrets unless force=true',
  })
  @ApiParam({ name: 'projectId', description: 'project id or slug' })
  @ApiParam({ name: 'environmentId', description: 'environment id or slug' })
  @ApiZodQuery(DeleteScopeQuerySchema)
  @Audited({ action: 'environment.delete', resourceType: 'environment', resourceRef: environmentRef })
  async removeEnvironment(
    @Req() request: AuthenticatedRequest,
    @ValidQuery(DeleteScopeQuerySchema) query: DeleteScopeQuery,
  ): Promise<void> {
    await this.projects.removeEnvironment(environmentScopeOf(request), query.force === 'true');
  }
}
