import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type HealthCheck, PlatformModule } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { HeartbeatLoop } from './heartbeat/heartbeat.loop';
import type { PrimaryCircuit } from './primary/primary-circuit';
import type { TaskLoop } from './tasks/task.loop';
import type { CertificateRenewal } from './identity/certificate-renewal';

export interface GatewayRuntime {
  dataSource: DataSource;
  heartbeat: HeartbeatLoop;
  circuit: PrimaryCircuit;
  tasks: TaskLoop;
  redis: Redis | undefined;
  registry: Registry;
  renewal: CertificateRenewal;
}

/** Stops polling, heartbeats and renewals, then closes Redis and the database, when the app closes (SIGTERM or a test). */
class RuntimeShutdown implements OnApplicationShutdown {
  constructor(private readonly runtime: GatewayRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.tasks.stop();
    await this.runtime.heartbeat.stop();
    await this.runtime.renewal.stop();
    this.runtime.redis?.disconnect();
    if (this.runtime.dataSource.isInitialized) await this.runtime.dataSource.destroy();
  }
}

/**
 * Readiness: 503 when the gateway cannot serve — its database is down, or the breaker on the
 * Primary is open (with no data plane yet it has nothing to serve without the Primary). Redis is
 * reported but not required: without it this replica only stops polling.
 */
export function gatewayHealthChecks(runtime: GatewayRuntime): HealthCheck[] {
  return [
    { name: 'database', check: () => runtime.dataSource.query('SELECT 1') },
    {
      name: 'primary',
      check: async () => {
        if (runtime.circuit.state === 'open') throw new Error('unreachable');
      },
      details: () => ({
        circuit: runtime.circuit.state,
        consecutiveFailures: runtime.circuit.consecutiveFailures,
        heartbeatFailures: runtime.heartbeat.consecutiveFailures,
        lastHeartbeatAt: runtime.heartbeat.lastSuccessAt?.toISOString() ?? null,
        polling: runtime.tasks.polling,
      }),
    },
    ...(runtime.redis
      ? [{ name: 'redis', critical: false, check: () => runtime.redis!.ping() } satisfies HealthCheck]
      : []),
  ];
}

/**
 * The gateway's HTTPS surface: `/api/v1/health` (above), `/api/v1/health/live`, `/metrics`; `GET /`
 * is added in gateway.app.ts (outside the /api/v1 prefix).
 */
@Module({})
export class AppModule {
  static forRuntime(logger: Logger, runtime: GatewayRuntime): DynamicModule {
    return {
      module: AppModule,
      providers: [{ provide: RuntimeShutdown, useFactory: () => new RuntimeShutdown(runtime) }],
      imports: [
        PlatformModule.forRoot({
          service: 'gateway',
          logger,
          registry: runtime.registry,
          healthChecks: { inject: [], useFactory: () => gatewayHealthChecks(runtime) },
        }),
      ],
    };
  }
}
