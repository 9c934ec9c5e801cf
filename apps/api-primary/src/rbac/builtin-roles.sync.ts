import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RoleEntity } from '@mazevault/persistence';
import { ROLE_PERMISSIONS } from '@mazevault/rbac';
import { DataSource } from 'typeorm';

/** Keeps the `roles` catalogue's built-in rows equal to the table the policy decision point uses. */
@Injectable()
export class BuiltinRolesSync implements OnApplicationBootstrap {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const repo = this.dataSource.getRepository(RoleEntity);
    for (const [name, permissions] of Object.entries(ROLE_PERMISSIONS)) {
      await repo.update({ name, builtin: true }, { permissions: [...permissions] });
    }
  }
}
