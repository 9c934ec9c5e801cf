import { Inject, Injectable } from '@nestjs/common';
import { EnvironmentEntity, ProjectEntity } from '@mazevault/persistence';
import { ProblemException, TtlCache } from '@mazevault/platform';
import { DataSource } from 'typeorm';

/** Where a secret lives: ids of its organization, project and environment. */
export interface SecretScope {
  organizationId: string;
  projectId: string;
  environmentId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CACHE_TTL_MS = 60_000;

/**
 * Resolves `/projects/:project/environments/:environment` (each an id or a slug) inside the caller's
 * organization. Projects and environments are never renamed or moved, so the answer is cached briefly.
 */
@Injectable()
export class SecretScopeService {
  private readonly cache = new TtlCache<SecretScope>(CACHE_TTL_MS, 10_000);

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async resolveProject(organizationId: string, project: string): Promise<string> {
    return (await this.findProject(organizationId, project)).id;
  }

  private async findProject(organizationId: string, project: string): Promise<ProjectEntity> {
    const row = await this.dataSource
      .getRepository(ProjectEntity)
      .findOneBy(UUID.test(project) ? { id: project, organizationId } : { slug: project, organizationId });
    if (!row) throw new ProblemException(404, 'project_not_found', `No project "${project}" in this organization`);
    return row;
  }

  async resolve(organizationId: string, project: string, environment: string): Promise<SecretScope> {
    const key = `${organizationId}\u0000${project}\u0000${environment}`;
    return this.cache.getOrLoad(key, async () => {
      const projectRow = await this.findProject(organizationId, project);
      const environmentRow = await this.dataSource
        .getRepository(EnvironmentEntity)
        .findOneBy(UUID.test(environment) ? { id: environment, projectId: projectRow.id } : { slug: environment, projectId: projectRow.id });
      if (!environmentRow) throw new ProblemException(404, 'environment_not_found', `No environment "${environment}" in project "${project}"`);
      return { organizationId, projectId: projectRow.id, environmentId: environmentRow.id };
    });
  }
}
