import { Inject, Injectable } from '@nestjs/common';
import type { CreateUserRequest } from '@mazevault/contracts';
import { hashPassword } from '@mazevault/crypto';
import { isUniqueViolation, OrganizationEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { evaluateRoleGrant, PolicyDecisionPoint, type Subject } from '@mazevault/rbac';
import { DataSource } from 'typeorm';
import { canonicalIdentity } from '../auth/identity.util';
import { PrincipalService } from '../auth/principal.service';
import { hasAnotherActiveAdmin } from '../role-bindings/role-bindings.service';

/** The grantee of a role given at creation: no existing user (so never the creator). */
const NEW_USER = '(new user)';

/** What the API shows of a user: never the password hash. */
export interface UserView {
  id: string;
  organizationId: string;
  email: string;
  displayName: string | null;
  disabled: boolean;
  createdAt: string;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    organizationId: user.organizationId,
    email: user.email,
    displayName: user.displayName,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly principals: PrincipalService,
    private readonly pdp: PolicyDecisionPoint,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Creates the user and its optional organization-wide role in one transaction. A role in the
   * creator's own organization follows the granting rule (the creator holds all of its permissions);
   * in another organization only a platform admin gets this far (the route's guard).
   */
  async create(creator: Subject, request: CreateUserRequest & { organizationId: string }): Promise<UserView> {
    if (request.role && request.organizationId === creator.organizationId) {
      const { decision, reason } = evaluateRoleGrant(this.pdp, creator, {
        userId: NEW_USER,
        role: request.role,
        scope: { organizationId: request.organizationId },
      });
      if (!decision)
        throw new ProblemException(
          403,
          'grant_forbidden',
          `You cannot create a user with this role: ${reason}`,
        );
    }
    const passwordHash = await hashPassword(request.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const org = await manager.findOneBy(OrganizationEntity, { id: request.organizationId });
        if (!org || org.disabledAt)
          throw new ProblemException(404, 'organization_not_found', 'No such active organization');
        const user = await manager.save(
          UserEntity,
          manager.create(UserEntity, {
            organizationId: org.id,
            email: canonicalIdentity(request.email),
            displayName: request.displayName ?? null,
            passwordHash,
            disabledAt: null,
          }),
        );
        if (request.role) {
          await manager.insert(RoleBindingEntity, {
            userId: user.id,
            roleName: request.role,
            organizationId: org.id,
            projectId: null,
            environmentId: null,
          });
        }
        return toUserView(user);
      });
    } catch (error) {
      // Unique per organization: this only ever reports a user the caller can already list.
      if (isUniqueViolation(error))
        throw new ProblemException(
          409,
          'user_exists',
          'A user with this email already exists in this organization',
        );
      throw error;
    }
  }

  async list(organizationId: string): Promise<UserView[]> {
    const users = await this.dataSource
      .getRepository(UserEntity)
      .find({ where: { organizationId }, order: { createdAt: 'ASC' }, take: 1000 });
    return users.map(toUserView);
  }

  /**
   * Disables a user. Nobody disables themselves, and the organization's last enabled admin stays:
   * disabling it would leave an organization nobody can administer (the same rule as unbinding it).
   */
  async disable(actor: Subject, userId: string): Promise<UserView> {
    if (actor.type === 'user' && actor.id === userId)
      throw new ProblemException(409, 'cannot_disable_self', 'You cannot disable your own account');
    const saved = await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOneBy(UserEntity, { id: userId, organizationId: actor.organizationId });
      if (!user) throw new ProblemException(404, 'user_not_found', 'No such user in this organization');
      if (user.disabledAt) return user;
      if (!(await hasAnotherActiveAdmin(manager, user.organizationId, { userId: user.id }))) {
        throw new ProblemException(
          409,
          'last_admin',
          "This user is the organization's last admin; grant admin to someone else first",
        );
      }
      user.disabledAt = this.clock.now();
      return manager.save(user);
    });
    await this.principals.invalidateAll();
    return toUserView(saved);
  }
}
