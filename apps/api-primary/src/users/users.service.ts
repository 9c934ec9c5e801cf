import { Inject, Injectable } from '@nestjs/common';
import type { CreateUserRequest } from '@mazevault/contracts';
import { hashPassword } from '@mazevault/crypto';
import { OrganizationEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { canonicalIdentity } from '../auth/identity.util';
import { PrincipalService } from '../auth/principal.service';
import { isUniqueViolation } from '../database/postgres-errors.util';

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
  ) {}

  /** Creates the user and its optional organization-wide role in one transaction. */
  async create(request: CreateUserRequest & { organizationId: string }): Promise<UserView> {
    const passwordHash = await hashPassword(request.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const org = await manager.findOneBy(OrganizationEntity, { id: request.organizationId });
        if (!org || org.disabledAt) throw new ProblemException(404, 'organization_not_found', 'No such active organization');
        const user = await manager.save(UserEntity, manager.create(UserEntity, {
          organizationId: org.id,
          email: canonicalIdentity(request.email),
          displayName: request.displayName ?? null,
          passwordHash,
          disabledAt: null,
        }));
        if (request.role) {
          await manager.insert(RoleBindingEntity, { userId: user.id, roleName: request.role, organizationId: org.id, projectId: null, environmentId: null });
        }
        return toUserView(user);
      });
    } catch (error) {
      // Unique per organization: this only ever reports a user the caller can already list.
      if (isUniqueViolation(error)) throw new ProblemException(409, 'user_exists', 'A user with this email already exists in this organization');
      throw error;
    }
  }

  async list(organizationId: string): Promise<UserView[]> {
    const users = await this.dataSource.getRepository(UserEntity).find({ where: { organizationId }, order: { createdAt: 'ASC' }, take: 1000 });
    return users.map(toUserView);
  }

  async disable(organizationId: string, userId: string): Promise<UserView> {
    const repo = this.dataSource.getRepository(UserEntity);
    const user = await repo.findOneBy({ id: userId, organizationId });
    if (!user) throw new ProblemException(404, 'user_not_found', 'No such user in this organization');
    user.disabledAt ??= new Date();
    const saved = await repo.save(user);
    await this.principals.invalidateAll();
    return toUserView(saved);
  }
}
