import { Inject, Injectable } from '@nestjs/common';
import type { CreateOrganizationAdminRequest, CreateOrganizationRequest } from '@mazevault/contracts';
import { isUniqueViolation, OrganizationEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { PolicyDecisionPoint, type Subject } from '@mazevault/rbac';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PrincipalService } from '../auth/principal.service';
import { type UserView, UsersService } from '../users/users.service';

@Injectable()
export class OrganizationsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly principals: PrincipalService,
    private readonly users: UsersService,
    private readonly pdp: PolicyDecisionPoint,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(request: CreateOrganizationRequest): Promise<OrganizationEntity> {
    try {
      return await this.dataSource
        .getRepository(OrganizationEntity)
        .save({ slug: request.slug, name: request.name, disabledAt: null });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(
          409,
          'organization_exists',
          `Organization "${request.slug}" already exists`,
        );
      throw error;
    }
  }

  /** Every organization for a platform admin; otherwise the caller's own (the route checked it). */
  list(caller: Subject): Promise<OrganizationEntity[]> {
    const everyOrganization = this.pdp.evaluate(caller, 'organizations:manage', {
      type: 'organization',
      platform: true,
      scope: { organizationId: caller.organizationId },
    }).decision;
    return this.dataSource.getRepository(OrganizationEntity).find({
      where: everyOrganization ? {} : { id: caller.organizationId },
      order: { createdAt: 'ASC' },
      take: 1000,
    });
  }

  /** An organization-wide admin with a generated password, returned once (like bootstrap-admin). */
  async createAdmin(
    creator: Subject,
    organizationId: string,
    request: CreateOrganizationAdminRequest,
  ): Promise<UserView & { password: string }> {
    const password = randomBytes(18).toString('base64url');
    const user = await this.users.create(creator, { ...request, password, role: 'admin', organizationId });
    return { ...user, password };
  }

  async disable(caller: Subject, id: string): Promise<OrganizationEntity> {
    // Disabling its own organization would lock the platform admin out of the platform.
    if (id === caller.organizationId)
      throw new ProblemException(409, 'organization_is_own', 'You cannot disable your own organization');
    const repo = this.dataSource.getRepository(OrganizationEntity);
    const org = await repo.findOneBy({ id });
    if (!org) throw new ProblemException(404, 'organization_not_found', 'No such organization');
    org.disabledAt ??= this.clock.now();
    const saved = await repo.save(org);
    await this.principals.invalidateAll();
    return saved;
  }
}
