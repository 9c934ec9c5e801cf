import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type {
  CreateEnvironmentRequest,
  CreateProjectRequest,
  UpdateEnvironmentRequest,
} from '@mazevault/contracts';
import {
  ApiTokenEntity,
  CertificateProfileEntity,
  EnvironmentEntity,
  GroupRoleMappingEntity,
  isUniqueViolation,
  ProjectEntity,
  RoleBindingEntity,
  SecretEntity,
} from '@mazevault/persistence';
import { CacheInvalidationBus, ProblemException } from '@mazevault/platform';
import {
  type EnvironmentScope,
  PolicyDecisionPoint,
  type ResolvedScope,
  type Subject,
} from '@mazevault/rbac';
import { DataSource, type EntityManager } from 'typeorm';
import { PRINCIPAL_CACHE } from '../auth/principal.service';
import { PROFILE_CACHE } from '../pki/certificate-profiles.service';
import { SECRET_CACHE } from '../secrets/secrets.service';
import { ProjectKeysService } from '../secrets/project-keys.service';
import { SecretScopeService } from './secret-scope.service';

/** An environment as the API shows it; `gatewayEnvironment` null = no gateway receives its secrets. */
export interface EnvironmentView {
  id: string;
  slug: string;
  name: string;
  gatewayEnvironment: 'NPR' | 'PRO' | null;
}

export interface ProjectView {
  id: string;
  slug: string;
  name: string;
  environments: EnvironmentView[];
  createdAt: string;
}

@Injectable()
export class ProjectsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly keys: ProjectKeysService,
    private readonly moduleRef: ModuleRef,
    private readonly scopes: SecretScopeService,
    private readonly bus: CacheInvalidationBus,
  ) {}

  // The app registers the PDP in its root module; look it up there, as the PolicyGuard does.
  private get pdp(): PolicyDecisionPoint {
    return this.moduleRef.get(PolicyDecisionPoint, { strict: false });
  }

  /** The project, its key-encryption key and its environments, all or nothing. */
  async create(organizationId: string, request: CreateProjectRequest): Promise<ProjectView> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const project = await manager.save(
          ProjectEntity,
          manager.create(ProjectEntity, { organizationId, slug: request.slug, name: request.name }),
        );
        await this.keys.createFor(manager, organizationId, project.id);
        const environments = [];
        for (const slug of [...new Set(request.environments)]) {
          environments.push(
            await manager.save(
              EnvironmentEntity,
              manager.create(EnvironmentEntity, { projectId: project.id, slug, name: slug }),
            ),
          );
        }
        return view(project, environments);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'project_exists', `Project "${request.slug}" already exists`);
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
    const projects = await this.dataSource
      .getRepository(ProjectEntity)
      .find({ where: { organizationId }, order: { slug: 'ASC' }, take: 1000 });
    const environments = projects.length
      ? await this.dataSource
          .getRepository(EnvironmentEntity)
          .createQueryBuilder('e')
          .where('e.project_id IN (:...ids)', { ids: projects.map((p) => p.id) })
          .orderBy('e.slug')
          .getMany()
      : [];
    const readable = (projectId: string, environmentId?: string) =>
      this.pdp.evaluate(caller, 'projects:read', {
        type: 'project',
        scope: { organizationId, projectId, ...(environmentId ? { environmentId } : {}) },
      }).decision;
    return projects.flatMap((p) => {
      const own = environments.filter((e) => e.projectId === p.id);
      if (readable(p.id)) return [view(p, own)];
      const visible = own.filter((e) => readable(p.id, e.id));
      return visible.length ? [view(p, visible)] : [];
    });
  }

  async addEnvironment(
    scope: ResolvedScope & { projectId: string },
    request: CreateEnvironmentRequest,
  ): Promise<EnvironmentView> {
    // The project is checked again against the organization: environments have no organization column.
    if (
      !(await this.dataSource
        .getRepository(ProjectEntity)
        .existsBy({ id: scope.projectId, organizationId: scope.organizationId }))
    ) {
      throw new ProblemException(404, 'project_not_found', 'No such project in this organization');
    }
    try {
      const env = await this.dataSource.getRepository(EnvironmentEntity).save({
        projectId: scope.projectId,
        slug: request.slug,
        name: request.name ?? request.slug,
        gatewayEnvironment: request.gatewayEnvironment ?? null,
      });
      return environmentView(env);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'environment_exists', `Environment "${request.slug}" already exists`);
      throw error;
    }
  }

  /** One project, with the environments the caller may read (all of them with a grant on the project). */
  async get(caller: Subject, scope: ResolvedScope & { projectId: string }): Promise<ProjectView> {
    const project = await this.projectOf(this.dataSource.manager, scope);
    const environments = await this.dataSource
      .getRepository(EnvironmentEntity)
      .find({ where: { projectId: project.id }, order: { slug: 'ASC' } });
    const readable = (environmentId?: string) =>
      this.pdp.evaluate(caller, 'projects:read', {
        type: 'project',
        scope: {
          organizationId: scope.organizationId,
          projectId: project.id,
          ...(environmentId ? { environmentId } : {}),
        },
      }).decision;
    return view(project, readable() ? environments : environments.filter((e) => readable(e.id)));
  }

  /** A new display name; the slug (in paths and secret URIs) stays. */
  async rename(
    caller: Subject,
    scope: ResolvedScope & { projectId: string },
    name: string,
  ): Promise<ProjectView> {
    await this.dataSource
      .getRepository(ProjectEntity)
      .update({ id: scope.projectId, organizationId: scope.organizationId }, { name });
    return this.get(caller, scope);
  }

  /** A new display name and/or gateway classification; the slug (in paths and secret URIs) stays. */
  async updateEnvironment(
    scope: EnvironmentScope,
    change: UpdateEnvironmentRequest,
  ): Promise<EnvironmentView> {
    const environment = await this.environmentOf(this.dataSource.manager, scope);
    const patch = {
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.gatewayEnvironment !== undefined ? { gatewayEnvironment: change.gatewayEnvironment } : {}),
    };
    await this.dataSource.getRepository(EnvironmentEntity).update({ id: environment.id }, patch);
    return environmentView({ ...environment, ...patch });
  }

  /**
   * Deletes a project. Refused (409 project_not_empty) while it holds secrets, unless `force`. Nothing
   * is left pointing at it: its environments, secrets, versions and key go with it (foreign keys);
   * role bindings, group/app-role mappings and API tokens scoped to it are deleted (they could grant
   * nothing any more); certificate profiles bound to it are detached to the organization, not deleted,
   * so the certificates issued under them stay revocable — by organization-wide PKI roles only, never
   * by more callers than before.
   */
  async remove(
    scope: ResolvedScope & { projectId: string },
    force: boolean,
  ): Promise<{ deletedSecrets: number }> {
    const deletedSecrets = await this.dataSource.transaction(async (manager) => {
      const project = await this.projectOf(manager, scope, true);
      const secrets = await manager.countBy(SecretEntity, { projectId: project.id });
      if (secrets > 0 && !force) throw notEmpty('project_not_empty', `Project "${project.slug}"`, secrets);
      await manager.delete(RoleBindingEntity, {
        organizationId: scope.organizationId,
        projectId: project.id,
      });
      await manager.delete(GroupRoleMappingEntity, {
        organizationId: scope.organizationId,
        projectId: project.id,
      });
      await manager.delete(ApiTokenEntity, { organizationId: scope.organizationId, projectId: project.id });
      await manager.update(
        CertificateProfileEntity,
        { organizationId: scope.organizationId, projectId: project.id },
        { projectId: null },
      );
      await manager.delete(ProjectEntity, { id: project.id });
      return secrets;
    });
    await this.forget(`${scope.organizationId}\u0000${scope.projectId}\u0000`, scope.organizationId);
    return { deletedSecrets };
  }

  /** Deletes an environment, on the same terms as a project (409 environment_not_empty unless `force`). */
  async removeEnvironment(scope: EnvironmentScope, force: boolean): Promise<{ deletedSecrets: number }> {
    const deletedSecrets = await this.dataSource.transaction(async (manager) => {
      const environment = await this.environmentOf(manager, scope, true);
      const secrets = await manager.countBy(SecretEntity, { environmentId: environment.id });
      if (secrets > 0 && !force)
        throw notEmpty('environment_not_empty', `Environment "${environment.slug}"`, secrets);
      await manager.delete(RoleBindingEntity, {
        organizationId: scope.organizationId,
        environmentId: environment.id,
      });
      await manager.delete(GroupRoleMappingEntity, {
        organizationId: scope.organizationId,
        environmentId: environment.id,
      });
      await manager.delete(ApiTokenEntity, {
        organizationId: scope.organizationId,
        environmentId: environment.id,
      });
      await manager.delete(EnvironmentEntity, { id: environment.id });
      return secrets;
    });
    await this.forget(
      `${scope.organizationId}\u0000${scope.projectId}\u0000${scope.environmentId}\u0000`,
      scope.organizationId,
    );
    return { deletedSecrets };
  }

  /** What replicas hold about a deleted scope: its names, the principals bound to it, its secrets' rows, its profiles. */
  private async forget(secretPrefix: string, organizationId: string): Promise<void> {
    await this.scopes.forgetAll();
    await this.bus.invalidate(PRINCIPAL_CACHE, '*');
    await this.bus.invalidate(SECRET_CACHE, secretPrefix);
    await this.bus.invalidate(PROFILE_CACHE, organizationId);
  }

  private async projectOf(
    manager: EntityManager,
    scope: ResolvedScope & { projectId: string },
    lock = false,
  ): Promise<ProjectEntity> {
    const query = manager
      .getRepository(ProjectEntity)
      .createQueryBuilder('p')
      .where('p.id = :id AND p.organization_id = :org', { id: scope.projectId, org: scope.organizationId });
    const project = await (lock ? query.setLock('pessimistic_write') : query).getOne();
    if (!project)
      throw new ProblemException(404, 'project_not_found', 'No such project in this organization');
    return project;
  }

  // Environments carry no organization column: the project is checked against the organization too.
  private async environmentOf(
    manager: EntityManager,
    scope: EnvironmentScope,
    lock = false,
  ): Promise<EnvironmentEntity> {
    await this.projectOf(manager, scope, lock);
    const environment = await manager
      .getRepository(EnvironmentEntity)
      .findOneBy({ id: scope.environmentId, projectId: scope.projectId });
    if (!environment)
      throw new ProblemException(404, 'environment_not_found', 'No such environment in this project');
    return environment;
  }
}

function notEmpty(code: string, what: string, secrets: number): ProblemException {
  return new ProblemException(
    409,
    code,
    `${what} holds ${secrets} secret${secrets === 1 ? '' : 's'}: delete them first, or delete with ?force=true to delete them too`,
  );
}

function view(project: ProjectEntity, environments: EnvironmentEntity[]): ProjectView {
  return {
    id: project.id,
    slug: project.slug,
    name: project.name,
    environments: environments.map(environmentView),
    createdAt: project.createdAt.toISOString(),
  };
}

function environmentView(
  e: Pick<EnvironmentEntity, 'id' | 'slug' | 'name' | 'gatewayEnvironment'>,
): EnvironmentView {
  return { id: e.id, slug: e.slug, name: e.name, gatewayEnvironment: e.gatewayEnvironment ?? null };
}
