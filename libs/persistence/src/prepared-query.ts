import { DatabaseError } from 'pg';
import type { DataSource } from 'typeorm';
import { usesPreparedStatements } from './data-source.factory';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  release(error?: Error | boolean): void;
}

interface PgPool {
  connect(): Promise<PgClient>;
}

/**
 * A hot statement as a named prepared statement on the pool TypeORM uses: PostgreSQL parses and
 * plans it once per connection instead of on every call. For the few statements run on every
 * request (audit events, issued certificates); everything else goes through TypeORM as usual.
 * Plain queries when the DataSource was created with `preparedStatements: false`.
 *
 * An error the server reported (a constraint, a value it refuses) leaves the connection sound, so it
 * goes back to the pool with its prepared statements. (`pool.query` would destroy it on any error:
 * a new session for every failed statement, and where sessions outlive connections — PGlite behind
 * its socket server — the next client re-preparing a name the session still holds, "prepared
 * statement already exists", on every call after.) Only a broken connection is discarded.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool?.connect || !usesPreparedStatements(dataSource)) return dataSource.query(text, values);
  const client = await pool.connect();
  try {
    const { rows } = await client.query({ name, text, values });
    client.release();
    return rows as T[];
  } catch (error) {
    // A DatabaseError is the server's ErrorResponse: the statement failed, the connection did not.
    client.release(error instanceof DatabaseError ? undefined : (error as Error));
    throw error;
  }
}
