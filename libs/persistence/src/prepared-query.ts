import type { DataSource } from 'typeorm';
import { usesPreparedStatements } from './data-source.factory';

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A hot statement as a named prepared statement on the pool TypeORM uses: PostgreSQL parses and
 * plans it once per connection instead of on every call. For the few statements run on every
 * request (audit events, issued certificates); everything else goes through TypeORM as usual.
 * Plain queries when the DataSource was created with `preparedStatements: false`.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool?.query || !usesPreparedStatements(dataSource)) return dataSource.query(text, values);
  return (await pool.query({ name, text, values })).rows as T[];
}
