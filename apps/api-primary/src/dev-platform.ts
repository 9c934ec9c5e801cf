import 'reflect-metadata';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { ConfigValidationError } from '@mazevault/platform';
import { join, resolve } from 'node:path';
import { bootstrapAdmin } from './bootstrap/bootstrap-admin';
import { loadPrimaryConfig } from './config/primary.config';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './dev/embedded-postgres';
import { loadOrCreateJwtKey, loadOrCreateMasterKey } from './dev/dev-keys';
import { RedisUnavailableError, startLocalRedis } from './dev/local-redis';
import { startOcspResponder } from './dev/ocsp-responder.process';
import { createPrimaryApp } from './primary.app';

const HELP = `MazeVault dev platform: the whole platform on one machine, like \`vault server -dev\`.

Usage: npm start [-- --help]

  With no DATABASE_URL, PostgreSQL runs in-process (PGlite), data in $MAZEVAULT_DEV_DIR/pgdata.
  With no REDIS_URL, a local redis-server is started (it must be installed).
  Migrations are applied; on first run an admin is created and its password printed once.

Environment: PORT (8080), OCSP_PORT (8081), MAZEVAULT_DEV_DIR (.mazevault), ADMIN_EMAIL (admin@mazevault.local),
and every variable of the Primary (see README "Configuration").`;

function say(line: string): void {
  process.stdout.write(`[mazevault] ${line}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const stateDir = resolve(process.env.MAZEVAULT_DEV_DIR ?? '.mazevault');
  const stops: (() => unknown)[] = [];
  const env = { ...process.env };
  let embedded: EmbeddedPostgres | undefined;

  if (!env.DATABASE_URL) {
    say(`starting embedded PostgreSQL (PGlite) in ${join(stateDir, 'pgdata')} ...`);
    const pg = await startEmbeddedPostgres(join(stateDir, 'pgdata'));
    embedded = pg;
    stops.push(() => pg.stop());
    env.DATABASE_URL = pg.url;
    env.DATABASE_POOL_MAX ??= '1';
    // PGlite is one session behind every socket connection: a statement prepared on one connection
    // outlives it, and a new connection (after the pool's idle timeout, or a broken one) preparing the
    // same name gets "prepared statement ... already exists" on every call. Plain statements only.
    env.DATABASE_PREPARED_STATEMENTS ??= 'false';
  }
  if (!env.REDIS_URL) {
    say('starting a local redis-server ...');
    const redis = await startLocalRedis();
    stops.push(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
  // No proxy in front on a laptop: every request gets its line.
  env.ACCESS_LOG ??= 'all';
  env.JWT_PRIVATE_KEY ??= loadOrCreateJwtKey(join(stateDir, 'jwt-es256.pem'));
  if (!env.MASTER_KEY && !env.MASTER_KEY_FILE && (env.MASTER_KEY_PROVIDER ?? 'env') === 'env') {
    env.MASTER_KEY = loadOrCreateMasterKey(join(stateDir, 'master.key'));
  }
  env.LOG_LEVEL ??= 'warn';

  const config = loadPrimaryConfig(env);
  say('applying migrations ...');
  const dataSource = await createPrimaryDataSource({ url: config.DATABASE_URL, poolMax: 1 }).initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  say(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
  const admin = await bootstrapAdmin(dataSource, { email: env.ADMIN_EMAIL });
  await dataSource.destroy();
  // The embedded database admits only the platform's own clients: wait until the migration run has left.
  await embedded?.idle();

  const base = `http://127.0.0.1:${config.PORT}`;
  say('starting the OCSP responder ...');
  const ocsp = await startOcspResponder(env, Number(env.OCSP_PORT ?? 8081));
  stops.push(() => ocsp.stop());
  // URLs embedded in the certificates the dev CA issues: known only now, so the config is validated again with them.
  env.PKI_PUBLIC_BASE_URL ??= base;
  env.OCSP_URL ??= ocsp.url;
  const appConfig = loadPrimaryConfig(env);

  // Ctrl+C / SIGTERM: the app drains its requests and closes, then the helpers it ran on stop.
  const app = await createPrimaryApp(appConfig, {
    afterShutdown: async () => {
      for (const stop of stops.reverse()) await stop();
      process.exit(0);
    },
  });
  await app.listen({ port: config.PORT, host: config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST });

  say('ready');
  process.stdout.write(
    [
      '',
      `  API          ${base}/api/v1`,
      `  OpenAPI      ${base}/api/docs`,
      `  Health       ${base}/api/v1/health`,
      `  Metrics      ${base}/metrics`,
      `  OCSP         ${ocsp.url}  (RFC 6960/5019; metrics at ${ocsp.url}/metrics)`,
      `  Database     ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite (' + join(stateDir, 'pgdata') + '), on a socket only you can open'}`,
      ...(embedded ? ['               its one session belongs to the platform: stop it before psql/pg_dump, or use DATABASE_URL'] : []),
      `  Redis        ${process.env.REDIS_URL ? 'REDIS_URL' : 'local redis-server ' + env.REDIS_URL}`,
      '',
      admin.created
        ? `  Admin        ${admin.email}\n  Password     ${admin.password}    <- shown once; store it now\n`
        : `  Admin        ${admin.email} (already exists)\n`,
      `  Try:  curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\`,
      `          -d '{"email":"${admin.email}","password":"..."}'`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigValidationError || error instanceof RedisUnavailableError) {
    process.stderr.write(`[mazevault] ${error.message}\n`);
  } else {
    process.stderr.write(`[mazevault] failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
