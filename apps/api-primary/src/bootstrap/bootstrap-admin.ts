import { hashPassword } from '@mazevault/crypto';
import { OrganizationEntity, RoleBindingEntity, UserEntity } from '@mazevault/persistence';
import { randomBytes } from 'node:crypto';
import { type DataSource, IsNull } from 'typeorm';
import { canonicalIdentity } from '../auth/identity.util';

export interface BootstrapResult {
  created: boolean;
  /** The admin asked for (ADMIN_EMAIL, --email, or the default), created now or not. */
  email: string;
  /** Present only when the admin was created now: print it once, it is stored only as a hash. */
  password?: string;
  /**
   * When nothing was created: the enabled platform admins that exist (at most MAX_LISTED_ADMINS),
   * so a caller never claims that `email` exists when the platform's admin is someone else.
   */
  existingAdmins?: string[];
}

const MAX_LISTED_ADMINS = 5;

/** The database has no MazeVault schema: the migrations have not been applied. */
export class SchemaMissingError extends Error {
  constructor() {
    super(
      'the database has no MazeVault schema (table "users" is missing): apply the migrations first with `npm run migration:run` (same DATABASE_URL)',
    );
  }
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
  // A raw `relation "users" does not exist` would not tell an operator what to do.
  const [{ users }] = (await dataSource.query(`SELECT to_regclass('users') IS NOT NULL AS users`)) as {
    users: boolean;
  }[];
  if (!users) throw new SchemaMissingError();
  return dataSource.transaction(async (manager) => {
    // Serialize concurrent bootstraps (two replicas starting at once).
    await manager.query('LOCK TABLE "users" IN SHARE ROW EXCLUSIVE MODE');
    if ((await manager.count(UserEntity)) > 0) {
      const admins = await manager.find(UserEntity, {
        where: { platformAdmin: true, disabledAt: IsNull() },
        order: { createdAt: 'ASC' },
        take: MAX_LISTED_ADMINS,
      });
      return { created: false, email, existingAdmins: admins.map((admin) => admin.email) };
    }
    const password = options.password ?? randomBytes(18).toString('base64url');
    const org = await manager.save(
      OrganizationEntity,
      manager.create(OrganizationEntity, {
        slug: options.organizationSlug ?? 'default',
        name: 'Default organization',
        disabledAt: null,
      }),
    );
    const user = await manager.save(
      UserEntity,
      manager.create(UserEntity, {
        organizationId: org.id,
        email,
        displayName: 'Administrator',
        passwordHash: await hashPassword(password),
        platformAdmin: true,
        disabledAt: null,
      }),
    );
    await manager.insert(RoleBindingEntity, {
      userId: user.id,
      roleName: 'admin',
      organizationId: org.id,
      projectId: null,
      environmentId: null,
    });
    return { created: true, email, password };
  });
}
