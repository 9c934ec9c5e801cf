import { GatewayIdentityEntity, createGatewayDataSource } from '@mazevault/persistence';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadOrCreateMasterKey } from './dev-keys';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { type ServiceProcess, startGatewayProcess } from './service.process';

/**
 * The embedded database of the dev gateway: its pool (5 connections, createGatewayDataSource's
 * default) plus the platform's own short-lived migration client. PGlite serializes them on its one
 * session, keeping a transaction's statements together.
 */
export const GATEWAY_EMBEDDED_CLIENTS = 6;

/** The gateway `npm start` enrolls: the seed's NPR primary gateway. */
const DEFAULT_NAME = 'gw-npr-primary';

export interface DevGateway {
  url: string;
  gatewayId: string;
  /** The name it was enrolled with by this start; undefined when it reused its stored identity. */
  enrolledAs?: string;
  /** Where its database lives, for the banner. */
  database: string;
  service: ServiceProcess;
}

export interface DevGatewayOptions {
  stateDir: string;
  /** The platform's environment (the Primary's): only what the gateway needs is taken from it. */
  env: Record<string, string | undefined>;
  /** Whether the Primary's database is the embedded PGlite: then the gateway gets one of its own too. */
  embedded: boolean;
  /** The Primary's admin API, e.g. http://127.0.0.1:8080. */
  adminBase: string;
  /** The Primary's mTLS gateway listener, e.g. https://127.0.0.1:8443. */
  listenerUrl: string;
  /** The gateway's own port. */
  port: number;
  /** The admin's credentials, when this run knows them (the password is shown only on creation). */
  admin?: { email: string; password: string };
  say(line: string): void;
}

/** Why the gateway was not started (the platform runs on without it). */
export class GatewayNotStarted extends Error {}

/**
 * One gateway beside the Primary, as an operator would run it (seed §6): its own database, migrated;
 * a bootstrap token from the admin API when that database holds no identity yet; then
 * apps/gateway/src/main.ts as a child process. A restart finds the stored identity and enrolls nothing.
 */
export async function startDevGateway(options: DevGatewayOptions): Promise<DevGateway> {
  const { env, stateDir, say } = options;
  const stops: (() => Promise<void>)[] = [];
  try {
    const database = await gatewayDatabase(env, options.embedded, stateDir, stops);
    say('applying the gateway schema ...');
    const stored = await migrateAndReadIdentity(database.url);
    const environment = env.MAZEVAULT_GATEWAY_ENVIRONMENT ?? 'NPR';
    const role = env.MAZEVAULT_GATEWAY_ROLE ?? 'primary';
    let token = env.GATEWAY_BOOTSTRAP_TOKEN;
    let enrolledAs: string | undefined;
    let gatewayId = stored;
    if (!stored && !token) {
      if (!options.admin)
        throw new GatewayNotStarted(
          'its database holds no identity and this run does not know the admin password (printed only when the admin ' +
            `is created): set GATEWAY_BOOTSTRAP_TOKEN (POST /api/v1/gateways/bootstrap), or start from an empty ${stateDir}`,
        );
      say('creating a gateway bootstrap token (POST /api/v1/gateways/bootstrap) ...');
      const bootstrap = await bootstrapGateway(options.adminBase, options.admin, {
        name: env.GATEWAY_NAME ?? DEFAULT_NAME,
        environment,
        role,
      });
      token = bootstrap.token;
      enrolledAs = bootstrap.name;
      gatewayId = bootstrap.gatewayId;
    }
    say(stored ? 'starting the gateway (stored identity) ...' : 'starting the gateway (enrolling) ...');
    const service = await startGatewayProcess(
      {
        // Only what a gateway reads: never the Primary's secrets (JWT key, master key, its database).
        PATH: env.PATH,
        HOME: env.HOME,
        TMPDIR: env.TMPDIR,
        NODE_OPTIONS: env.NODE_OPTIONS,
        MAZEVAULT_MODE: 'gateway',
        PRIMARY_BACKEND_URL: options.listenerUrl,
        ...(stored ? {} : { GATEWAY_BOOTSTRAP_TOKEN: token }),
        MAZEVAULT_GATEWAY_ENVIRONMENT: environment,
        MAZEVAULT_GATEWAY_ROLE: role,
        MAZEVAULT_VERSION: env.MAZEVAULT_VERSION,
        DATABASE_URL: database.url,
        REDIS_URL: env.REDIS_URL,
        REDIS_KEY_PREFIX: `${env.REDIS_KEY_PREFIX ?? ''}gateway:`,
        MASTER_KEY: loadOrCreateMasterKey(join(stateDir, 'gateway-master.key')),
        LOG_LEVEL: env.GATEWAY_LOG_LEVEL ?? 'info',
        GATEWAY_HEARTBEAT_INTERVAL_SECONDS: env.GATEWAY_HEARTBEAT_INTERVAL_SECONDS,
      },
      options.port,
    );
    return {
      url: service.url,
      // A token from GATEWAY_BOOTSTRAP_TOKEN: the gateway has stored the id it was given by now.
      gatewayId: gatewayId ?? (await migrateAndReadIdentity(database.url)) ?? 'unknown',
      enrolledAs: stored ? undefined : (enrolledAs ?? 'GATEWAY_BOOTSTRAP_TOKEN'),
      database: database.label,
      service: {
        ...service,
        async stop() {
          await service.stop();
          for (const stop of stops.reverse()) await stop();
        },
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}

/**
 * The gateway's own PostgreSQL: a second embedded PGlite (its own data directory and socket) when the
 * Primary's is embedded; else GATEWAY_DATABASE_URL, or `<database>_gateway` beside DATABASE_URL,
 * created when missing.
 */
async function gatewayDatabase(
  env: Record<string, string | undefined>,
  embedded: boolean,
  stateDir: string,
  stops: (() => Promise<void>)[],
): Promise<{ url: string; label: string }> {
  if (env.GATEWAY_DATABASE_URL) return { url: env.GATEWAY_DATABASE_URL, label: 'GATEWAY_DATABASE_URL' };
  if (embedded || !env.DATABASE_URL) {
    const dataDir = join(stateDir, 'gateway-pgdata');
    const pg: EmbeddedPostgres = await startEmbeddedPostgres(dataDir, {
      maxConnections: GATEWAY_EMBEDDED_CLIENTS,
      name: 'mazevault-gateway-pg',
    });
    stops.push(() => pg.stop());
    return { url: pg.url, label: `embedded PGlite (${dataDir})` };
  }
  const primary = new URL(env.DATABASE_URL);
  const name = `${decodeURIComponent(primary.pathname.slice(1)) || 'postgres'}_gateway`;
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name))
    throw new GatewayNotStarted(
      `cannot derive a gateway database name from DATABASE_URL: set GATEWAY_DATABASE_URL`,
    );
  const client = new Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(env.DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), label: `${name} (beside DATABASE_URL)` };
}

/** Applies the gateway's migrations; the stored gateway id, if it has enrolled before. */
async function migrateAndReadIdentity(url: string): Promise<string | undefined> {
  const dataSource = await createGatewayDataSource({ url, poolMax: 1 }).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const [identity] = await dataSource.getRepository(GatewayIdentityEntity).find({ take: 1 });
    return identity?.gatewayId;
  } finally {
    await dataSource.destroy();
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function postJson(url: string, body: unknown, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

/**
 * The seed's step 1: log in as the admin, then POST /api/v1/gateways/bootstrap. A name already taken
 * (a gateway enrolled from a state directory since removed) gets a numeric suffix.
 */
async function bootstrapGateway(
  adminBase: string,
  admin: { email: string; password: string },
  { name, environment, role }: { name: string; environment: string; role: string },
): Promise<{ token: string; name: string; gatewayId: string }> {
  const login = await postJson(`${adminBase}/api/v1/auth/login`, admin);
  if (login.status !== 200 || typeof login.body.token !== 'string')
    throw new GatewayNotStarted(`the admin login for the gateway bootstrap failed (${login.status})`);
  for (let attempt = 1; attempt <= 9; attempt++) {
    const candidate = attempt === 1 ? name : `${name}-${attempt}`;
    const answer = await postJson(
      `${adminBase}/api/v1/gateways/bootstrap`,
      { name: candidate, environment, role },
      login.body.token,
    );
    if (answer.status === 201 || answer.status === 200)
      return {
        token: String(answer.body.token),
        name: candidate,
        gatewayId: String(answer.body.gatewayId),
      };
    if (answer.body.code !== 'gateway_name_taken')
      throw new GatewayNotStarted(
        `POST /api/v1/gateways/bootstrap answered ${answer.status} ${String(answer.body.code ?? '')}`,
      );
  }
  throw new GatewayNotStarted(`the gateway names ${name} to ${name}-9 are all taken`);
}
