import { PRIMARY_MIGRATIONS } from '@mazevault/persistence';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { DataSource } from 'typeorm';

/**
 * Upgrading an installation made before platform admins existed: the bootstrap admin (earliest
 * org-level admin of the earliest organization) becomes the platform admin, nobody else does, and
 * emails become unique per organization. Real PostgreSQL, the real migrations.
 */
describe('PlatformAdminsAndOrgScopedEmails migration (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('tenancy-migration');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  const migrated = (migrations: typeof PRIMARY_MIGRATIONS) =>
    new DataSource({
      type: 'postgres',
      url: database.url,
      migrations,
      migrationsTableName: 'typeorm_migrations',
    }).initialize();

  it('backfills the bootstrap admin only, and scopes email uniqueness to the organization', async () => {
    const last = PRIMARY_MIGRATIONS.findIndex(
      (m) => m.name === 'PlatformAdminsAndOrgScopedEmails1765000000000',
    );
    expect(last).toBeGreaterThan(0);
    const before = await migrated(PRIMARY_MIGRATIONS.slice(0, last));
    await before.runMigrations({ transaction: 'each' });
    const q = (sql: string, params: unknown[] = []) =>
      before.query(sql, params) as Promise<Array<Record<string, string>>>;
    const [first] = await q(
      `INSERT INTO organizations (slug, name, created_at) VALUES ('default', 'd', now() - interval '2 days') RETURNING id`,
    );
    const [second] = await q(
      `INSERT INTO organizations (slug, name, created_at) VALUES ('later', 'l', now() - interval '1 day') RETURNING id`,
    );
    const user = async (org: string, email: string, age: string, role?: string, projectId?: string) => {
      const [row] = await q(
        `INSERT INTO users (organization_id, email, created_at) VALUES ($1, $2, now() - $3::interval) RETURNING id`,
        [org, email, age],
      );
      if (role)
        await q(
          `INSERT INTO role_bindings (user_id, role_name, organization_id, project_id) VALUES ($1, $2, $3, $4)`,
          [row.id, role, org, projectId ?? null],
        );
      return row.id;
    };
    await user(first.id, 'viewer@x.test', '3 days', 'viewer'); // oldest, but not an admin
    const bootstrap = await user(first.id, 'root@x.test', '2 days', 'admin');
    await user(first.id, 'second-admin@x.test', '1 day', 'admin');
    await user(second.id, 'other-admin@x.test', '4 days', 'admin'); // older, but of a later organization
    await before.destroy();

    dataSource = await migrated(PRIMARY_MIGRATIONS);
    await dataSource.runMigrations({ transaction: 'each' });
    const flagged = (await dataSource.query(`SELECT id FROM users WHERE platform_admin`)) as Array<{
      id: string;
    }>;
    expect(flagged.map((r) => r.id)).toEqual([bootstrap]);

    // The same email may now exist once per organization, never twice in one.
    await dataSource.query(`INSERT INTO users (organization_id, email) VALUES ($1, 'root@x.test')`, [
      second.id,
    ]);
    await expect(
      dataSource.query(`INSERT INTO users (organization_id, email) VALUES ($1, 'root@x.test')`, [second.id]),
    ).rejects.toThrow(/UQ_users_organization_email/);
  });
});
