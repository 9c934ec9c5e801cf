import 'reflect-metadata';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { freePort } from '@mazevault/platform';
import { join, resolve } from 'node:path';
import { type DevGateway, startDevGateway } from './dev-gateway';
import { loadOrCreateJwtKey, loadOrCreateMasterKey } from './dev-keys';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { RedisUnavailableError, startLocalRedis } from './local-redis';
import { runCli, type ServiceProcess, startOcspResponder, startPrimary } from './service.process';

const HELP = `MazeVault dev platform: the whole platform on one machine, like \`vault server -dev\`.

Usage: npm start [-- --no-gateway | --help]

  With no DATABASE_URL, PostgreSQL runs in-process (PGlite), data in $MAZEVAULT_DEV_DIR/pgdata.
  With no REDIS_URL, a local redis-server is started (it must be installed).
  Migrations are applied; on first run an admin is created and its password printed once.
  One gateway (apps/gateway) runs beside the Primary, enrolled on the first run through the admin API
  (POST /api/v1/gateways/bootstrap) and reusing its stored identity on later runs. Its database is a
  second PGlite ($MAZEVAULT_DEV_DIR/gateway-pgdata), or <database>_gateway beside DATABASE_URL.

  --no-gateway   run the Primary and the OCSP responder only

Environment: PORT (8080), OCSP_PORT (8081), MAZEVAULT_DEV_DIR (.mazevault), ADMIN_EMAIL (admin@mazevault.local),
GATEWAY_LISTEN_PORT (the Primary's mTLS listener for gateways, 8443; 0 = a free port; off = no gateway),
GATEWAY_PORT (the gateway's own port, 8444; 0 = a free port), GATEWAY_NAME (gw-npr-primary),
MAZEVAULT_GATEWAY_ENVIRONMENT (NPR), MAZEVAULT_GATEWAY_ROLE (primary), GATEWAY_DATABASE_URL,
GATEWAY_BOOTSTRAP_TOKEN (enroll with this token instead of one made through the admin API),
GATEWAY_LOG_LEVEL (info), and every variable of the Primary (see README "Configuration").`;

/** What `bootstrap-admin --json` prints. */
interface BootstrapAnswer {
  created: boolean;
  email: string;
  password?: string;
  existingAdmins?: string[];
}

/** The banner's admin lines: the truth about who administers this platform, never "already exists" for a user that does not. */
export function adminLines(admin: BootstrapAnswer): string[] {
  if (admin.created)
    return [
      `  Admin        ${admin.email}`,
      `  Password     ${admin.password}    <- shown once; store it now`,
      '',
    ];
  const admins = admin.existingAdmins ?? [];
  if (admins.includes(admin.email))
    return [`  Admin        ${admin.email} (exists; its password was shown when it was created)`, ''];
  if (admins.length === 0)
    return [`  Admin        none enabled; users exist, so ${admin.email} was not created`, ''];
  return [
    `  Admin        ${admins.join(', ')}  (there is no user ${admin.email}; users exist, so it was not created)`,
    '',
  ];
}

/** The address for the login example: the admin asked for when it exists, else one that does. */
function loginEmail(admin: BootstrapAnswer): string {
  const admins = admin.existingAdmins ?? [];
  return admin.created || admins.includes(admin.email) ? admin.email : (admins[0] ?? admin.email);
}

/** The banner's gateway lines: where it listens and how it was enrolled, or why there is none. */
export function gatewayLines(
  gateway: DevGateway | undefined,
  skipped: string | undefined,
  listenerPort: number | null,
): string[] {
  if (!gateway) return [`  Gateway      none: ${skipped ?? 'not started'}`];
  const insecure = gateway.url.startsWith('https:') ? ' -k' : '';
  return [
    `  Gateway      ${gateway.url}  (id ${gateway.gatewayId}; ${gateway.enrolledAs ? `enrolled now as ${gateway.enrolledAs}` : 'stored identity, no new token'})`,
    `               curl -s${insecure} ${gateway.url}/   ->  {"mode":"gateway"};  health ${gateway.url}/api/v1/health`,
    `               its database: ${gateway.database}; mTLS to the Primary's gateway listener https://127.0.0.1:${listenerPort}`,
  ];
}

function say(line: string): void {
  process.stdout.write(`[mazevault] ${line}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const unknown = process.argv.slice(2).filter((arg) => !['--no-gateway'].includes(arg));
  if (unknown.length) {
    process.stderr.write(`[mazevault] unknown option ${unknown.join(' ')}\n\n${HELP}\n`);
    process.exit(2);
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
  // The Primary's mTLS listener for gateways, on loopback; a concrete port, so the gateway can be told.
  env.GATEWAY_LISTEN_HOST ??= '127.0.0.1';
  if (env.GATEWAY_LISTEN_PORT === '0') env.GATEWAY_LISTEN_PORT = String(await freePort());
  const listenerPort = env.GATEWAY_LISTEN_PORT === 'off' ? null : Number(env.GATEWAY_LISTEN_PORT ?? 8443);
  const withGateway = !process.argv.includes('--no-gateway') && listenerPort !== null;

  say('applying migrations ...');
  const dataSource = await createPrimaryDataSource({ url: env.DATABASE_URL!, poolMax: 1 }).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    say(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
  } finally {
    await dataSource.destroy();
  }
  // The embedded database admits only the platform's own clients: wait until each short-lived one has left.
  await embedded?.idle();
  const admin = JSON.parse(
    await runCli(
      'bootstrap-admin',
      'apps/api-primary/src/cli/bootstrap-admin.cli.ts',
      ['--json', ...(env.ADMIN_EMAIL ? ['--email', env.ADMIN_EMAIL] : [])],
      env,
    ),
  ) as BootstrapAnswer;
  await embedded?.idle();

  const host = !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  const port = Number(env.PORT ?? 8080);
  const base = `http://${host}:${port}`;
  const services: ServiceProcess[] = [];
  // Ctrl+C / SIGTERM: the Primary drains its requests and closes, then the OCSP responder, then the
  // helpers they ran on. A service that dies on its own takes the platform down with it.
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of [...services.map((s) => () => s.stop()), ...stops.reverse()]) await stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  say('starting the OCSP responder ...');
  const ocsp = await startOcspResponder(env, Number(env.OCSP_PORT ?? 8081));
  services.unshift(ocsp);
  // URLs embedded in the certificates the dev CA issues.
  env.PKI_PUBLIC_BASE_URL ??= base;
  env.OCSP_URL ??= ocsp.url;
  say('starting the Primary ...');
  // The Primary's pool and the OCSP responder's: together EMBEDDED_POSTGRES_CLIENTS connections.
  const primary = await startPrimary(env, host, port);
  services.unshift(primary);
  for (const service of services) {
    void service.exited.then((code) => {
      if (stopping) return;
      say(`${service === primary ? 'the Primary' : 'the OCSP responder'} exited (code ${code}); stopping`);
      void stopAll(1);
    });
  }

  let gateway: DevGateway | undefined;
  let gatewaySkipped: string | undefined;
  if (withGateway) {
    try {
      const gatewayPort = env.GATEWAY_PORT === '0' ? await freePort() : Number(env.GATEWAY_PORT ?? 8444);
      gateway = await startDevGateway({
        stateDir,
        env,
        embedded: embedded !== undefined,
        adminBase: base,
        listenerUrl: `https://127.0.0.1:${listenerPort}`,
        port: gatewayPort,
        admin: admin.created && admin.password ? { email: admin.email, password: admin.password } : undefined,
        say,
      });
      // First to stop: it is a client of the Primary. Its own exit leaves the Primary running (an
      // admin disabling it, or revoking its certificate, is something to try out here).
      services.unshift(gateway.service);
      void gateway.service.exited.then((code) => {
        if (!stopping) say(`the gateway exited (code ${code}); the Primary keeps running`);
      });
    } catch (error) {
      // The Primary is worth having without its gateway: say why, and run on.
      gatewaySkipped = error instanceof Error ? error.message : String(error);
      say(`no gateway: ${gatewaySkipped}`);
    }
  }

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
      ...(embedded
        ? [
            '               its one session belongs to the platform: stop it before psql/pg_dump, or use DATABASE_URL',
          ]
        : []),
      `  Redis        ${process.env.REDIS_URL ? 'REDIS_URL' : 'local redis-server ' + env.REDIS_URL}`,
      ...gatewayLines(
        gateway,
        withGateway ? gatewaySkipped : 'off (--no-gateway or GATEWAY_LISTEN_PORT=off)',
        listenerPort,
      ),
      '',
      ...adminLines(admin),
      `  Try:  TOKEN=$(curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\`,
      `          -d '{"email":"${loginEmail(admin)}","password":"..."}' | jq -r .token)`,
      ...(embedded
        ? [
            `  Audit  curl -s ${base}/api/v1/audit/verify -H "authorization: Bearer $TOKEN"`,
            '         (npm run audit:verify needs DATABASE_URL; the embedded database admits only the platform)',
          ]
        : [
            `  Audit  npm run audit:verify   (with this DATABASE_URL and master key), or GET ${base}/api/v1/audit/verify`,
          ]),
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof RedisUnavailableError) {
    process.stderr.write(`[mazevault] ${error.message}\n`);
  } else {
    process.stderr.write(
      `[mazevault] failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
