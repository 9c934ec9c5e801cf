import { Inject, Injectable } from '@nestjs/common';
import type { CreateEnvironmentRequest, CreateProjectRequest } from '@mazevault/contracts';
import { EnvironmentEntity, ProjectEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../database/postgres-errors.util';
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
  ) {}

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

  async list(organizationId: string): Promise<ProjectView[]> {
    const projects = await this.dataSource.getRepository(ProjectEntity).find({ where: { organizationId }, order: { slug: 'ASC' }, take: 1000 });
    const environments = projects.length
      ? await this.dataSource.getRepository(EnvironmentEntity).createQueryBuilder('e').where('e.project_id IN (:...ids)', { ids: projects.map((p) => p.id) }).orderBy('e.slug').getMany()
      : [];
    return projects.map((p) => view(p, environments.filter((e) => e.projectId === p.id)));
  }

  async addEnvironment(projectId: string, request: CreateEnvironmentRequest): Promise<{ id: string; slug: string; name: string }> {
    try {
      const env = await this.dataSource.getRepository(EnvironmentEntity).save({ projectId, slug: request.slug, name: request.name ?? request.slug });
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
