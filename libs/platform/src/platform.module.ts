import { type DynamicModule, type FactoryProvider, Module, type ModuleMetadata } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from './clock/clock';
import { HealthController, LivenessController } from './health/health.controller';
import { HEALTH_CHECKS, type HealthCheck } from './health/health.tokens';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HttpMetricsInstaller } from './metrics/http-metrics.installer';
import { MetricsController } from './metrics/metrics.controller';
import { createMetricsRegistry } from './metrics/metrics.registry';
import { METRICS_REGISTRY } from './metrics/metrics.tokens';

export interface PlatformModuleOptions {
  service: string;
  /** The service's pino logger (createServiceLogger), shared with the Fastify adapter. */
  logger: Logger;
  /** Readiness checks, built from the app's own providers (DataSource, Redis, ...). */
  healthChecks: Pick<FactoryProvider<HealthCheck[]>, 'inject' | 'useFactory'> &
    Pick<ModuleMetadata, 'imports'>;
  /** The time source every service is given (CLOCK); default the system clock, tests pass a ManualClock. */
  clock?: Clock;
  /** The process's registry, when the app registers its own metrics before the module is built. */
  registry?: Registry;
}

/** Logging, metrics, health, the clock: what every MazeVault service has, wired the same way. */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const registry = options.registry ?? createMetricsRegistry(options.service).registry;
    return {
      module: PlatformModule,
      global: true,
      imports: [...(options.healthChecks.imports ?? [])],
      controllers: [LivenessController, HealthController, MetricsController],
      providers: [
        { provide: METRICS_REGISTRY, useValue: registry },
        HttpMetricsInstaller,
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: HEALTH_CHECKS,
          inject: options.healthChecks.inject,
          useFactory: options.healthChecks.useFactory,
        },
      ],
      exports: [METRICS_REGISTRY, CLOCK],
    };
  }
}
