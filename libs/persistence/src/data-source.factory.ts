import { DataSource, type DataSourceOptions } from 'typeorm';
import { PRIMARY_ENTITIES } from './entities';
import { PRIMARY_MIGRATIONS } from './migrations';
import { type DatabaseLogSink, ParameterFreeTypeormLogger } from './typeorm-log.sink';

export interface PrimaryDataSourceOptions {
  url: string;
  /** Pool size; PGlite in dev mode serves one connection at a time. */
  poolMax?: number;
  logging?: DataSourceOptions['logging'];
  /** Where failed statements are logged (the service's pino logger); never with their parameters. */
  logSink?: DatabaseLogSink;
  /**
   * Named prepared statements for the hot statements (see preparedQuery); default on. Turn off behind
   * a pooler that hands each transaction a different server connection without tracking them
   * (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
   */
  preparedStatements?: boolean;
}

/**
 * The Primary's PostgreSQL DataSource. `synchronize` and `migrationsRun` stay off: the schema changes
 * only through the migration files, run by an explicit command (or the dev platform).
 */
export function createPrimaryDataSource(options: PrimaryDataSourceOptions): DataSource {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: PRIMARY_ENTITIES,
    migrations: PRIMARY_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    // gen_random_uuid() is built into PostgreSQL 13+ (and PGlite): no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: options.logging ?? ['error', 'warn', 'migration'],
    logger: new ParameterFreeTypeormLogger(options.logSink),
    extra: { max: options.poolMax ?? 10, connectionTimeoutMillis: 5000 },
  });
  if (options.preparedStatements === false) withoutPreparedStatements.add(dataSource);
  return dataSource;
}

/** DataSources created with `preparedStatements: false`. */
const withoutPreparedStatements = new WeakSet<DataSource>();

/** Whether `dataSource` may use named prepared statements (see preparedQuery). */
export function usesPreparedStatements(dataSource: DataSource): boolean {
  return !withoutPreparedStatements.has(dataSource);
}
