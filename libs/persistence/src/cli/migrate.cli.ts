/**
 * Runs, reverts or checks the Primary's migrations.
 *   run     apply pending migrations to DATABASE_URL
 *   revert  undo the last migration
 *   check   on a throw-away database: apply every migration, then fail if TypeORM would still
 *           generate SQL from the entities (entities and migrations have drifted)
 */
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { ConfigValidationError, env, loadConfig } from '@mazevault/platform';
import { createPrimaryDataSource } from '../data-source.factory';
import { createGatewayDataSource } from '../gateway';

/** What the migrations CLI reads, validated like the apps' config (a bad URL is refused by name). */
const MIGRATE_CONFIG_SHAPE = {
  DATABASE_URL: env.url(['postgres', 'postgresql']).optional(),
  TEST_DATABASE_URL: env.url(['postgres', 'postgresql']).optional(),
} as const;

const USAGE = `Usage: migrate <run|revert|check> [gateway]

  run     apply pending migrations to DATABASE_URL
  revert  revert the most recent migration on DATABASE_URL
  check   create a scratch database next to DATABASE_URL (or TEST_DATABASE_URL, default
          postgres://postgres@127.0.0.1:5432/postgres), migrate it, and fail if the entities
          would need a new migration (both schemas)
  gateway run/revert the gateway's own schema (its DATABASE_URL) instead of the Primary's`;

async function main(command: string | undefined, schema: string | undefined): Promise<number> {
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  let config: { DATABASE_URL?: string; TEST_DATABASE_URL?: string };
  try {
    config = loadConfig(MIGRATE_CONFIG_SHAPE);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (command === 'check') {
    // The Primary's schema, then the gateway's own (a separate database in a deployment).
    const primary = await check(
      config.TEST_DATABASE_URL ?? config.DATABASE_URL,
      createPrimaryDataSource,
      'primary',
    );
    return (
      primary || check(config.TEST_DATABASE_URL ?? config.DATABASE_URL, createGatewayDataSource, 'gateway')
    );
  }
  const url = config.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/mazevault)\n');
    return 2;
  }
  if (schema !== undefined && schema !== 'gateway') {
    process.stderr.write(`unknown schema "${schema}"\n\n${USAGE}\n`);
    return 2;
  }
  const dataSource = await (
    schema === 'gateway'
      ? createGatewayDataSource({ url })
      : createPrimaryDataSource({ url, logging: ['error', 'migration'] })
  ).initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(
        applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') + '\n' : 'schema is up to date\n',
      );
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else {
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

async function check(
  baseUrl: string | undefined,
  create: (options: { url: string }) => DataSource,
  schema: string,
): Promise<number> {
  const base = baseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `mv_migration_check_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = '/' + name;
  const dataSource = create({ url: url.toString() });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const pending = await dataSource.driver.createSchemaBuilder().log();
    if (pending.upQueries.length > 0) {
      process.stderr.write(
        `${schema}: entities and migrations have drifted; a new migration would contain:\n`,
      );
      for (const q of pending.upQueries) process.stderr.write(`  ${q.query};\n`);
      return 1;
    }
    process.stdout.write(`${schema}: migrations match the entities\n`);
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.end();
  }
}

main(process.argv[2], process.argv[3]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
