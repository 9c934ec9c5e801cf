import { createPrimaryDataSource, preparedQuery } from '@mazevault/persistence';
import { createTestDatabase } from '@mazevault/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { call, startPrimary } from './primary-test-app';

describe('hot statements (real PostgreSQL)', () => {
  it.each([
    ['true', ['audit_insert_sealed', 'audit_read_chain_head']],
    ['false', []],
  ])(
    'with DATABASE_PREPARED_STATEMENTS=%s, prepares %j on the connection and still seals the audit log',
    async (flag, prepared) => {
      const primary = await startPrimary(`prepared_${flag}`, {
        DATABASE_PREPARED_STATEMENTS: flag,
        DATABASE_POOL_MAX: '1',
      });
      try {
        expect((await call(primary.baseUrl, 'GET', '/api/v1/users')).status).toBe(401); // an audited denial
        // One pooled connection: this query runs in the session that wrote the audit event.
        const database = primary.app.get(DataSource);
        const names: { name: string }[] = await database.query(
          'SELECT name FROM pg_prepared_statements ORDER BY name',
        );
        expect(names.map((row) => row.name)).toEqual(prepared);
        const [{ sealed }] = await database.query(
          `SELECT count(*)::int AS sealed FROM audit_events WHERE hash IS NOT NULL`,
        );
        expect(sealed).toBeGreaterThan(0);
      } finally {
        await primary.close();
      }
    },
  );
});

describe('a failed prepared statement', () => {
  const refused = (dataSource: DataSource) =>
    // jsonb refuses \u0000 (22P05): a statement error the server reports.
    preparedQuery(dataSource, 'test_refused', 'SELECT $1::jsonb AS value', ['"\\u0000"']);
  const fine = async (dataSource: DataSource) =>
    (
      await preparedQuery<{ pid: number }>(
        dataSource,
        'test_fine',
        'SELECT pg_backend_pid() AS pid, $1::int AS n',
        [1],
      )
    )[0]!.pid;

  it('leaves its connection, and the statements prepared on it, in the pool (real PostgreSQL)', async () => {
    const database = await createTestDatabase('prepared_failure');
    const dataSource = await createPrimaryDataSource({ url: database.url, poolMax: 1 }).initialize();
    try {
      const pid = await fine(dataSource);
      await expect(refused(dataSource)).rejects.toMatchObject({ code: '22P05' });
      expect(await fine(dataSource)).toBe(pid);
      const names: { name: string }[] = await dataSource.query(
        'SELECT name FROM pg_prepared_statements ORDER BY name',
      );
      expect(names.map((row) => row.name)).toEqual(['test_fine', 'test_refused']);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });

  it('does not leave the next calls failing with "prepared statement already exists" on PGlite, whose one session outlives connections', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', './tools/register.cjs', 'apps/api-primary/test/fixtures/pglite-prepared-failure.ts'],
      {
        cwd: join(__dirname, '..', '..', '..'),
        timeout: 60_000,
      },
    );
    expect(JSON.parse(stdout)).toEqual(['ok', expect.stringMatching(/^22P05: /), 'ok', 'ok']);
  }, 60_000);
});
