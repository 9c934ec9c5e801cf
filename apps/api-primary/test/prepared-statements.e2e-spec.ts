import { DataSource } from 'typeorm';
import { call, startPrimary } from './primary-test-app';

describe('hot statements (real PostgreSQL)', () => {
  it.each([
    ['true', ['audit_insert_sealed', 'audit_read_chain_head']],
    ['false', []],
  ])('with DATABASE_PREPARED_STATEMENTS=%s, prepares %j on the connection and still seals the audit log', async (flag, prepared) => {
    const primary = await startPrimary(`prepared_${flag}`, { DATABASE_PREPARED_STATEMENTS: flag, DATABASE_POOL_MAX: '1' });
    try {
      expect((await call(primary.baseUrl, 'GET', '/api/v1/users')).status).toBe(401); // an audited denial
      // One pooled connection: this query runs in the session that wrote the audit event.
      const database = primary.app.get(DataSource);
      const names: { name: string }[] = await database.query('SELECT name FROM pg_prepared_statements ORDER BY name');
      expect(names.map((row) => row.name)).toEqual(prepared);
      const [{ sealed }] = await database.query(`SELECT count(*)::int AS sealed FROM audit_events WHERE hash IS NOT NULL`);
      expect(sealed).toBeGreaterThan(0);
    } finally {
      await primary.close();
    }
  });
});
