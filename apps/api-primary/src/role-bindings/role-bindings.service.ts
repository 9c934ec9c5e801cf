import { Inject, Injectable } from '@nestjs/common';
import type { CreateRoleBindingRequest } from '@mazevault/contracts';
import { isUniqueViolation, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import {
  evaluateRoleGrant,
  isRoleName,
  PolicyDecisionPoint,
  type RoleGrant,
  type Scope,
  type Subject,
} from '@mazevault/rbac';
import { DataSource, type EntityManager } from 'typeorm';
import { PrincipalService } from '../auth/principal.service';
import { SecretScopeService } from '../projects/secret-scope.service';

/**
 * Creates and removes role bindings under the granting rule of `evaluateRoleGrant` (nobody confers
 * rights they do not hold, nobody rebinds themselves, only an admin grants admin) and keeps the
 * organization administrable: its last organization-wide admin binding cannot be removed.
 */
@Injectable()
export class RoleBindingsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly pdp: PolicyDecisionPoint,
    private readonly principals: PrincipalService,
    private readonly scopes: SecretScopeService,
  ) {}

  async create(granter: Subject, body: CreateRoleBindingRequest): Promise<RoleBindingEntity> {
    const organizationId = granter.organizationId;
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOneBy({ id: body.userId, organizationId });
    if (!user) throw new ProblemException(404, 'user_not_found', 'No such user in this organization');
    const scope = await this.resolveScope(organizationId, body.projectId, body.environmentId);
    this.authorize(granter, { userId: user.id, role: body.role, scope });
    try {
      return await this.dataSource.getRepository(RoleBindingEntity).save({
        userId: user.id,
        roleName: body.role,
        organizationId,
        projectId: scope.projectId ?? null,
        environmentId: scope.environmentId ?? null,
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'binding_exists', 'This user already has this role on this scope');
      throw error;
    }
  }

  async remove(granter: Subject, bindingId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const binding = await manager
        .getRepository(RoleBindingEntity)
        .findOneBy({ id: bindingId, organizationId: granter.organizationId });
      if (!binding) throw new ProblemException(404, 'binding_not_found', 'No such role binding');
      if (!isRoleName(binding.roleName))
        throw new ProblemException(
          409,
          'unknown_role',
          `The binding's role ${binding.roleName} is not a built-in role`,
        );
      const scope: Scope = { organizationId: binding.organizationId };
      if (binding.projectId) scope.projectId = binding.projectId;
      if (binding.environmentId) scope.environmentId = binding.environmentId;
      this.authorize(granter, { userId: binding.userId, role: binding.roleName, scope });
      if (binding.roleName === 'admin' && !binding.projectId) await this.refuseLastAdmin(manager, binding);
      await manager.getRepository(RoleBindingEntity).delete({ id: binding.id });
    });
    await this.principals.invalidateAll();
  }

  private authorize(granter: Subject, grant: RoleGrant): void {
    const { decision, reason } = evaluateRoleGrant(this.pdp, granter, grant);
    if (!decision)
      throw new ProblemException(403, 'grant_forbidden', `You cannot change this role binding: ${reason}`);
  }

  /**
   * Locks the organization's admin bindings (so two concurrent removals cannot each see the other's
   * admin still present) and refuses to remove the last one held by an enabled user.
   */
  private async refuseLastAdmin(manager: EntityManager, binding: RoleBindingEntity): Promise<void> {
    if (!(await hasAnotherActiveAdmin(manager, binding.organizationId, { bindingId: binding.id }))) {
      throw new ProblemException(
        409,
        'last_admin',
        "This is the organization's last admin; grant admin to someone else first",
      );
    }
  }

  /** The binding's scope, with its project and environment checked to exist in the organization. */
  /** The binding's scope: `projectId` / `environmentId` are ids or slugs, as in URL paths, looked up in the organization (404 otherwise). */
  private async resolveScope(organizationId: string, project?: string, environment?: string): Promise<Scope> {
    if (!project) return { organizationId };
    if (!environment)
      return { organizationId, projectId: await this.scopes.resolveProject(organizationId, project) };
    const { projectId, environmentId } = await this.scopes.resolve(organizationId, project, environment);
    return { organizationId, projectId, environmentId };
  }
}

/**
 * Whether the organization keeps an organization-wide admin held by an enabled user once `excluding`
 * (a binding, or every binding of a user) is gone. Locks those bindings until the transaction ends,
 * so two concurrent removals or disables cannot each count on the other admin.
 */
export async function hasAnotherActiveAdmin(
  manager: EntityManager,
  organizationId: string,
  excluding: { bindingId?: string; userId?: string },
): Promise<boolean> {
  const admins = await manager
    .getRepository(RoleBindingEntity)
    .createQueryBuilder('b')
    .innerJoin(UserEntity, 'u', 'u.id = b.user_id')
    .where(
      'b.organization_id = :org AND b.role_name = :role AND b.project_id IS NULL AND u.disabled_at IS NULL',
      { org: organizationId, role: 'admin' },
    )
    .setLock('pessimistic_write', undefined, ['b'])
    .getMany();
  return admins.some((admin) => admin.id !== excluding.bindingId && admin.userId !== excluding.userId);
}
