import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';

const REPO = join(__dirname, '..', '..', '..');

/** `npm run bootstrap-admin` as an operator runs it: its own process, DATABASE_URL from the environment. */
async function bootstrapAdminCli(
  databaseUrl: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    ['-r', './tools/register.cjs', 'apps/api-primary/src/cli/bootstrap-admin.cli.ts', ...args],
    {
      cwd: REPO,
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
      timeout: 60_000,
    },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe('npm run bootstrap-admin (real PostgreSQL, the CLI as a child process)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('bootstrap_cli');
  });
  afterAll(() => database?.drop());

  it('on a database without the migrations says to run them and exits non-zero, with no raw SQL error', async () => {
    const result = await bootstrapAdminCli(database.url, '--email', 'first@example.com');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('npm run migration:run');
    expect(result.stderr).not.toContain('relation "users" does not exist');
    expect(result.stdout).toBe('');
  });

  it('after the migrations creates the admin once, then names the admin that exists rather than the one asked for', async () => {
    const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    const created = await bootstrapAdminCli(database.url, '--json', '--email', 'first@example.com');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created: true, email: 'first@example.com' });

    const other = await bootstrapAdminCli(database.url, '--json', '--email', 'admin@mazevault.local');
    expect(JSON.parse(other.stdout)).toEqual({
      created: false,
      email: 'admin@mazevault.local',
      existingAdmins: ['first@example.com'],
    });
    const text = await bootstrapAdminCli(database.url, '--email', 'admin@mazevault.local');
    expect(text.stdout).toContain('no user admin@mazevault.local; platform admin: first@example.com');
    const same = await bootstrapAdminCli(database.url, '--email', 'first@example.com');
    expect(same.stdout).toContain('platform admin first@example.com exists');
  }, 60_000);
});
