import { Inject, Injectable } from '@nestjs/common';
import type { CreateOrganizationRequest } from '@mazevault/contracts';
import { OrganizationEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { PrincipalService } from '../auth/principal.service';
import { isUniqueViolation } from '../database/postgres-errors.util';

@Injectable()
export class OrganizationsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly principals: PrincipalService,
  ) {}

  async create(request: CreateOrganizationRequest): Promise<OrganizationEntity> {
    try {
      return await this.dataSource.getRepository(OrganizationEntity).save({ slug: request.slug, name: request.name, disabledAt: null });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException(409, 'organization_exists', `Organization "${request.slug}" already exists`);
      throw error;
    }
  }

  list(): Promise<OrganizationEntity[]> {
    return this.dataSource.getRepository(OrganizationEntity).find({ order: { createdAt: 'ASC' }, take: 1000 });
  }

  async disable(id: string): Promise<OrganizationEntity> {
    const repo = this.dataSource.getRepository(OrganizationEntity);
    const org = await repo.findOneBy({ id });
    if (!org) throw new ProblemException(404, 'organization_not_found', 'No such organization');
    org.disabledAt ??= new Date();
    const saved = await repo.save(org);
    await this.principals.invalidateAll();
    return saved;
  }
}
