import { EnvMasterKeyProvider, type MasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { ocspInvalidationChannel } from '@mazevault/contracts';
import { systemClock } from '@mazevault/pki';
import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { OcspConfig } from './config/ocsp.config';
import { createOcspHttpServer, createOcspMetrics } from './http/ocsp-http.server';
import { IssuerRegistry } from './ocsp/issuer-registry';
import { OcspResponderService } from './ocsp/ocsp-responder';

export interface OcspResponderApp {
  server: Server;
  responder: OcspResponderService;
  issuers: IssuerRegistry;
  listen(port: number, host: string): Promise<number>;
  /** One database poll (revocations since the last poll, CA changes); also runs on a timer. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Wiring only: config → pool, master keys, issuers, responder, Redis invalidations, HTTP server. */
export async function createOcspResponderApp(config: OcspConfig, log: Log): Promise<OcspResponderApp> {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', (error) => log('warn', `database: ${error.message}`));
  const retired: MasterKeyProvider[] = config.MASTER_KEY_PREVIOUS
    ? [new EnvMasterKeyProvider({ value: config.MASTER_KEY_PREVIOUS, variableName: 'MASTER_KEY_PREVIOUS' })]
    : [];
  const masters = new MasterKeyRing(
    new EnvMasterKeyProvider({ value: config.MASTER_KEY, variableName: 'MASTER_KEY' }),
    retired,
  );

  const registry = new Registry();
  registry.setDefaultLabels({ service: 'ocsp-responder' });
  collectDefaultMetrics({ register: registry });
  const metrics = createOcspMetrics(registry);

  const issuers = new IssuerRegistry(pool, masters, (m) => log('warn', m));
  const responder = new OcspResponderService(
    pool,
    issuers,
    systemClock,
    {
      validitySeconds: config.OCSP_VALIDITY_SECONDS,
      maxEntries: config.OCSP_CACHE_MAX_ENTRIES,
      maxUnknownEntries: config.OCSP_CACHE_MAX_UNKNOWN_ENTRIES,
    },
    {
      signed: (seconds) => metrics.signing.observe(seconds),
    },
  );

  await issuers.reload();
  for (const issuer of issuers.all()) {
    const count = await responder.presign(issuer, config.OCSP_PRESIGN_LIMIT).catch((error: Error) => {
      log('warn', `pre-signing for CA ${issuer.id} failed: ${error.message}`);
      return 0;
    });
    if (count) log('info', `pre-signed ${count} responses for CA ${issuer.id}`);
  }

  // The database is the truth: every poll re-reads revocations since the previous one (with overlap).
  let since: Date | null = null;
  const refresh = async () => {
    const {
      rows: [clock],
    } = await pool.query<{ now: Date }>('SELECT now() AS now');
    if (since) {
      const { rows } = await pool.query<{ ca_id: string; serial: string }>(
        'SELECT ca_id, serial FROM certificates WHERE revoked_at >= $1',
        [new Date(since.getTime() - 5000)],
      );
      for (const row of rows) responder.invalidate(row.ca_id, row.serial);
    }
    since = clock!.now;
    for (const caId of await issuers.reload()) responder.invalidateCa(caId);
  };
  await refresh();
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    refresh()
      .catch((error: Error) => log('warn', `refresh failed: ${error.message}`))
      .finally(() => (refreshing = false));
  }, config.OCSP_REFRESH_SECONDS * 1000);
  timer.unref();

  // Fast path for revocations: the Primary publishes `<caId>:<serial>`; a subscriber needs its own connection.
  let subscriber: Redis | undefined;
  if (config.REDIS_URL) {
    subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    subscriber.on('error', (error) => log('warn', `redis: ${error.message}`));
    subscriber.on('message', (_channel: string, message: string) => {
      const match = /^([0-9a-f-]{36}):([0-9a-f]{1,64})$/.exec(message);
      if (match) responder.invalidate(match[1]!, match[2]!);
    });
    await subscriber.subscribe(ocspInvalidationChannel(config.REDIS_KEY_PREFIX));
  }

  const server = createOcspHttpServer(responder, metrics, {
    bodyLimitBytes: config.OCSP_BODY_LIMIT_BYTES,
    maxAgeSeconds: config.OCSP_MAX_AGE_SECONDS,
    registry,
    log,
    health: async () => {
      await pool.query('SELECT 1');
      return { ready: issuers.size > 0, details: { issuers: issuers.size, cached: responder.cacheSize } };
    },
  });

  return {
    server,
    responder,
    issuers,
    refresh,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    async close() {
      clearInterval(timer);
      subscriber?.disconnect();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}
