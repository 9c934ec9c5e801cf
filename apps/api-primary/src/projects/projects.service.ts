import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { CreateEnvironmentRequest, CreateProjectRequest } from '@mazevault/contracts';
import { EnvironmentEntity, isUniqueViolation, ProjectEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { PolicyDecisionPoint, type ResolvedScope, type Subject } from '@mazevault/rbac';
import { DataSource } from 'typeorm';
import { ProjectKeysService } from '../secrets/project-keys.service';

export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  environments: { id: string; slug: string; name: string }[];
  createdAt: string;
}

@Injectable()
export class ProjectsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly keys: ProjectKeysService,
    private readonly moduleRef: ModuleRef,
  ) {}

  // The app registers the PDP in its root module; look it up there, as the PolicyGuard does.
  private get pdp(): PolicyDecisionPoint {
    return this.moduleRef.get(PolicyDecisionPoint, { strict: false });
  }

  /** The project, its key-encryption key and its environments, all or nothing. */
  async create(organizationId: string, request: CreateProjectRequest): Promise<ProjectView> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const project = await manager.save(ProjectEntity, manager.create(ProjectEntity, { organizationId, slug: request.slug, name: request.name }));
        await this.keys.createFor(manager, organizationId, project.id);
        const environments = [];
        for (const slug of [...new Set(request.environments)]) {
          environments.push(await manager.save(EnvironmentEntity, manager.create(EnvironmentEntity, { projectId: project.id, slug, name: slug })));
        }
        return view(project, environments);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException(409, 'project_exists', `Project "${request.slug}" already exists`);
      throw error;
    }
  }

  /**
   * The projects and environments the caller may read (projects:read through the PDP): all of them
   * with an organization-level grant; else the projects it is bound to, and of a project it is bound
   * to only through environments, just those environments.
   */
  async list(caller: Subject): Promise<ProjectView[]> {
    const organizationId = caller.organizationId;
    const projects = await this.dataSource.getRepository(ProjectEntity).find({ where: { organizationId }, order: { slug: 'ASC' }, take: 1000 });
    const environments = projects.length
      ? await this.dataSource.getRepository(EnvironmentEntity).createQueryBuilder('e').where('e.project_id IN (:...ids)', { ids: projects.map((p) => p.id) }).orderBy('e.slug').getMany()
      : [];
    const readable = (projectId: string, environmentId?: string) =>
      this.pdp.evaluate(caller, 'projects:read', { type: 'project', scope: { organizationId, projectId, ...(environmentId ? { environmentId } : {}) } }).decision;
    return projects.flatMap((p) => {
      const own = environments.filter((e) => e.projectId === p.id);
      if (readable(p.id)) return [view(p, own)];
      const visible = own.filter((e) => readable(p.id, e.id));
      return visible.length ? [view(p, visible)] : [];
    });
  }

  async addEnvironment(scope: ResolvedScope & { projectId: string }, request: CreateEnvironmentRequest): Promise<{ id: string; slug: string; name: string }> {
    // The project is checked again against the organization: environments have no organization column.
    if (!(await this.dataSource.getRepository(ProjectEntity).existsBy({ id: scope.projectId, organizationId: scope.organizationId }))) {
      throw new ProblemException(404, 'project_not_found', 'No such project in this organization');
    }
    try {
      const env = await this.dataSource.getRepository(EnvironmentEntity).save({ projectId: scope.projectId, slug: request.slug, name: request.name ?? request.slug });
      return { id: env.id, slug: env.slug, name: env.name };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException(409, 'environment_exists', `Environment "${request.slug}" already exists`);
      throw error;
    }
  }
}

function view(project: ProjectEntity, environments: EnvironmentEntity[]): ProjectView {
  return {
    id: project.id,
    slug: project.slug,
    name: project.name,
    environments: environments.map((e) => ({ id: e.id, slug: e.slug, name: e.name })),
    createdAt: project.createdAt.toISOString(),
  };
}
