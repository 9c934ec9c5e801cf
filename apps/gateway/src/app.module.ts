import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PlatformModule } from '@mazevault/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { HeartbeatLoop } from './heartbeat/heartbeat.loop';
import type { CertificateRenewal } from './identity/certificate-renewal';

export interface GatewayRuntime {
  dataSource: DataSource;
  heartbeat: HeartbeatLoop;
  renewal: CertificateRenewal;
}

/**
 * The gateway's HTTP surface (part 1): `/api/v1/health` (503 when its database is down or the
 * Primary has been unreachable for PRIMARY_FAILURE_THRESHOLD heartbeats: with no data plane yet, it
 * has nothing to serve without the Primary), `/api/v1/health/live`, `/metrics`; `GET /` is added in
 * gateway.app.ts (outside the /api/v1 prefix).
 */
/** Stops the heartbeats and renewals, then closes the database, when the app closes (SIGTERM or a test). */
class RuntimeShutdown implements OnApplicationShutdown {
  constructor(private readonly runtime: GatewayRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.heartbeat.stop();
    await this.runtime.renewal.stop();
    if (this.runtime.dataSource.isInitialized) await this.runtime.dataSource.destroy();
  }
}

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
          healthChecks: {
            inject: [],
            useFactory: () => [
              { name: 'database', check: () => runtime.dataSource.query('SELECT 1') },
              {
                name: 'primary',
                check: async () => {
                  if (runtime.heartbeat.circuit !== 'closed') throw new Error('unreachable');
                },
              },
            ],
          },
        }),
      ],
    };
  }
}
