import { hashPassword } from '@mazevault/crypto';
import { OrganizationEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { canonicalIdentity } from '../auth/identity.util';

export interface BootstrapResult {
  created: boolean;
  email: string;
  /** Present only when the admin was created now: print it once, it is stored only as a hash. */
  password?: string;
}

/**
 * Creates the first organization and its admin when the platform has no user yet (like
 * `vault operator init`). Idempotent: with any user present it changes nothing. That admin is the
 * platform admin (Infisical's "server admin"): it alone creates organizations and their first admins.
 */
export async function bootstrapAdmin(
  dataSource: DataSource,
  options: { email?: string; organizationSlug?: string; password?: string } = {},
): Promise<BootstrapResult> {
  const email = canonicalIdentity(options.email ?? 'admin@mazevault.local');
  return dataSource.transaction(async (manager) => {
    // Serialize concurrent bootstraps (two replicas starting at once).
    await manager.query('LOCK TABLE "users" IN SHARE ROW EXCLUSIVE MODE');
    if ((await manager.count(UserEntity)) > 0) return { created: false, email };
    const password = options.password ?? randomBytes(18).toString('base64url');
    const org = await manager.save(OrganizationEntity, manager.create(OrganizationEntity, {
      slug: options.organizationSlug ?? 'default',
      name: 'Default organization',
      disabledAt: null,
    }));
    const user = await manager.save(UserEntity, manager.create(UserEntity, {
      organizationId: org.id,
      email,
      displayName: 'Administrator',
      passwordHash: await hashPassword(password),
      platformAdmin: true,
      disabledAt: null,
    }));
    await manager.insert(RoleBindingEntity, { userId: user.id, roleName: 'admin', organizationId: org.id, projectId: null, environmentId: null });
    return { created: true, email, password };
  });
}
