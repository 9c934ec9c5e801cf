import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { createGatewayDataSource } from '@mazevault/persistence';
import { createHttpApp, createMetricsRegistry } from '@mazevault/platform';
import type { Logger } from 'pino';
import { AppModule, type GatewayRuntime } from './app.module';
import type { GatewayConfig } from './config/gateway.config';
import { HeartbeatLoop } from './heartbeat/heartbeat.loop';
import { CertificateRenewal } from './identity/certificate-renewal';
import { ensureIdentity } from './identity/enrollment';
import { GatewayIdentityStore } from './identity/gateway-identity.store';
import { GatewayMetrics } from './metrics/gateway.metrics';
import { PrimaryCircuit } from './primary/primary-circuit';
import { PrimaryClient } from './primary/primary-client';
import { createGatewayRedis } from './redis/redis.client';
import { createProjectKeyVault } from './tasks/project-key-vault';
import { TaskExecutor } from './tasks/task-executor';
import { RedisTaskLease, SOLE_REPLICA_LEASE } from './tasks/task-lease';
import { TaskLog } from './tasks/task-log';
import { TaskLoop } from './tasks/task.loop';
import { serverTls } from './tls/server-tls';

/** Tasks asked for per poll; the lease outlives a poll and is renewed at a third of its TTL. */
const MAX_TASKS_PER_POLL = 10;
const LEASE_TTL_MS = 30_000;
const POLL_RETRY_DELAY_MS = 2_000;

/**
 * The gateway: identity (stored, or enrolled with the bootstrap token), then its HTTPS app, then the
 * heartbeat loop, whose answers start and stop the task loop. Its schema is migrated beforehand
 * (`npm run migration:run -- gateway`), like the Primary's.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<NestFastifyApplication> {
  logger.info('Starting MazeVault in gateway mode');
  const dataSource = await createGatewayDataSource({ url: config.DATABASE_URL }).initialize();
  const redis = config.REDIS_URL ? createGatewayRedis(config.REDIS_URL) : undefined;
  try {
    const masters = new MasterKeyRing(
      new EnvMasterKeyProvider({ value: config.MASTER_KEY, variableName: 'MASTER_KEY' }),
    );
    const store = new GatewayIdentityStore(dataSource, masters);
    const identity = await ensureIdentity(config, store, logger);
    const { registry } = createMetricsRegistry('gateway');
    const metrics = new GatewayMetrics(registry);
    const circuit = new PrimaryCircuit({
      failureThreshold: config.PRIMARY_FAILURE_THRESHOLD,
      halfOpenAfterMs: config.PRIMARY_CIRCUIT_RESET_SECONDS * 1000,
      onStateChange: (state) => logger.warn({ circuit: state }, `Primary circuit breaker ${state}`),
    });
    const primary = new PrimaryClient(
      config.PRIMARY_BACKEND_URL,
      config.PRIMARY_TIMEOUT_MS,
      identity,
      circuit,
    );
    const vault = createProjectKeyVault(config, { logger, registry });
    const tasks = new TaskLoop(
      primary,
      new TaskExecutor(new TaskLog(dataSource), vault, metrics, logger),
      redis
        ? new RedisTaskLease(redis, `${identity.gatewayId}:task-lease`, LEASE_TTL_MS)
        : SOLE_REPLICA_LEASE,
      {
        waitSeconds: config.GATEWAY_TASK_POLL_WAIT_SECONDS,
        timeoutMs: config.PRIMARY_TIMEOUT_MS,
        maxTasks: MAX_TASKS_PER_POLL,
        retryDelayMs: POLL_RETRY_DELAY_MS,
      },
      logger,
    );
    const heartbeat = new HeartbeatLoop(config, primary, logger, (active) => tasks.setActive(active));
    metrics.observe({
      heartbeatFailures: () => heartbeat.consecutiveFailures,
      circuitState: () => circuit.state,
      certificateNotAfter: () => primary.identity.notAfter,
      writeQueueSize: () => 0, // the data plane's write queue (a later part)
    });
    const renewal = new CertificateRenewal(primary, store, logger);
    const runtime: GatewayRuntime = { dataSource, heartbeat, circuit, tasks, redis, registry, renewal };
    const app = await createHttpApp(AppModule.forRuntime(logger, runtime), {
      title: 'MazeVault gateway',
      version: config.MAZEVAULT_VERSION,
      logger,
      https: await serverTls(config, logger),
    });
    app
      .getHttpAdapter()
      .getInstance()
      .get('/', async () => ({ mode: 'gateway' }));
    await app.listen({ port: config.PORT, host: config.HOST });
    const { port } = app.getHttpServer().address() as { port: number };
    logger.info(`gateway listening on https://${config.HOST}:${port}`);
    heartbeat.start();
    renewal.start();
    return app;
  } catch (error) {
    redis?.disconnect();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}
