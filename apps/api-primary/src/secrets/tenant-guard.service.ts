import { Inject, Injectable } from '@nestjs/common';
import { OrganizationEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

/**
 * TENANT_ID pins a Primary's secrets API to one organization (by id or slug): principals of any
 * other organization are refused even if their bindings would allow the action.
 */
@Injectable()
export class TenantGuardService {
  private tenantOrganizationId: Promise<string | undefined> | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  async check(organizationId: string): Promise<void> {
    const tenant = this.config.TENANT_ID;
    if (!tenant) return;
    this.tenantOrganizationId ??= this.dataSource
      .getRepository(OrganizationEntity)
      .findOne({ where: [{ slug: tenant }, ...(/^[0-9a-f-]{36}$/i.test(tenant) ? [{ id: tenant }] : [])] })
      .then((org) => org?.id);
    if ((await this.tenantOrganizationId) !== organizationId) {
      throw new ProblemException(
        403,
        'tenant_mismatch',
        'This MazeVault instance serves another tenant (TENANT_ID)',
      );
    }
  }
}
