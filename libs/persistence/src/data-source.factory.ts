import { DataSource, type DataSourceOptions } from 'typeorm';
import { PRIMARY_ENTITIES } from './entities';
import { PRIMARY_MIGRATIONS } from './migrations';

export interface PrimaryDataSourceOptions {
  url: string;
  /** Pool size; PGlite in dev mode serves one connection at a time. */
  poolMax?: number;
  logging?: DataSourceOptions['logging'];
}

/**
 * The Primary's PostgreSQL DataSource. `synchronize` and `migrationsRun` stay off: the schema changes
 * only through the migration files, run by an explicit command (or the dev platform).
 */
export function createPrimaryDataSource(options: PrimaryDataSourceOptions): DataSource {
  return new DataSource({
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
    logging: options.logging ?? ['error'],
    extra: { max: options.poolMax ?? 10, connectionTimeoutMillis: 5000 },
  });
}
