import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EnvironmentEntity, ProjectEntity } from '@mazevault/persistence';
import { CacheInvalidationBus, ProblemException, TtlCache } from '@mazevault/platform';
import type { EnvironmentScope } from '@mazevault/rbac';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

/**
 * Where a secret lives: the organization, project and environment ids (and, from a request, the
 * slugs and the caller's bindings there). Every secrets query filters on all three ids.
 */
export type SecretScope = Pick<EnvironmentScope, 'organizationId' | 'projectId' | 'environmentId'>;

/** A project or an environment, found inside one organization. */
export interface ScopeIds {
  organizationId: string;
  projectId: string;
  projectSlug: string;
  environmentId?: string;
  environmentSlug?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CACHE_TTL_MS = 60_000;

/** Bus namespace: a project or environment was deleted, every replica forgets its resolved scopes. */
export const SCOPE_CACHE = 'scope';

/**
 * Resolves `/projects/:project/environments/:environment` (each an id or a slug) inside the caller's
 * organization. Slugs never change (a rename changes the display name) and nothing moves, so the
 * answer is cached briefly; a deletion clears the cache here and on the other replicas (`forgetAll`).
 */
@Injectable()
export class SecretScopeService implements OnModuleInit {
  private readonly cache = new TtlCache<ScopeIds>(CACHE_TTL_MS, 10_000);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    private readonly bus: CacheInvalidationBus,
  ) {}

  onModuleInit(): void {
    this.bus.on(SCOPE_CACHE, () => this.cache.clear());
  }

  /** After a project or environment is deleted: its slug and id must stop resolving everywhere at once. */
  forgetAll(): Promise<void> {
    return this.bus.invalidate(SCOPE_CACHE, '*');
  }

  /** SECRETS_ENFORCE_SCOPES=false takes secrets decisions at organization level (the scope still filters queries). */
  get enforceSecretScopes(): boolean {
    return this.config.SECRETS_ENFORCE_SCOPES;
  }

  async resolveProject(organizationId: string, project: string): Promise<string> {
    return (await this.findProject(organizationId, project)).id;
  }

  async findProject(organizationId: string, project: string): Promise<ProjectEntity> {
    const row = await this.dataSource
      .getRepository(ProjectEntity)
      .findOneBy(UUID.test(project) ? { id: project, organizationId } : { slug: project, organizationId });
    if (!row)
      throw new ProblemException(404, 'project_not_found', `No project "${project}" in this organization`);
    return row;
  }

  async resolve(organizationId: string, project: string, environment: string): Promise<Required<ScopeIds>> {
    const key = `${organizationId}\u0000${project}\u0000${environment}`;
    return (await this.cache.getOrLoad(key, async () => {
      const projectRow = await this.findProject(organizationId, project);
      // Joined on the project's organization as well: environments carry no organization column.
      const environmentRow = await this.dataSource
        .getRepository(EnvironmentEntity)
        .createQueryBuilder('e')
        .innerJoin(ProjectEntity, 'p', 'p.id = e.project_id')
        .where('e.project_id = :projectId AND p.organization_id = :organizationId', {
          projectId: projectRow.id,
          organizationId,
        })
        .andWhere(UUID.test(environment) ? 'e.id = :environment' : 'e.slug = :environment', { environment })
        .getOne();
      if (!environmentRow)
        throw new ProblemException(
          404,
          'environment_not_found',
          `No environment "${environment}" in project "${project}"`,
        );
      return {
        organizationId,
        projectId: projectRow.id,
        projectSlug: projectRow.slug,
        environmentId: environmentRow.id,
        environmentSlug: environmentRow.slug,
      };
    })) as Required<ScopeIds>;
  }
}
