import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createServiceLogger, METRICS_REGISTRY } from '@mazevault/platform';
import type { Registry } from 'prom-client';
import { AppModule, type PrimaryAppOptions } from './app.module';
import { registerAuditResponseHook } from './audit/audit-response.hook';
import { AuditService } from './audit/audit.service';
import type { PrimaryConfig } from './config/primary.config';
import { registerOperationMetrics } from './metrics/operation-metrics.hook';

/** Builds (but does not start) the Primary's HTTP app. */
export async function createPrimaryApp(
  config: PrimaryConfig,
  options: PrimaryAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createServiceLogger({ level: config.LOG_LEVEL, service: 'api-primary' });
  const app = await createHttpApp(AppModule.forConfig(config, logger, options), {
    logger,
    title: 'MazeVault Primary API',
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    accessLog: config.ACCESS_LOG,
    ...(options.afterShutdown && { afterShutdown: options.afterShutdown }),
  });
  registerAuditResponseHook(app.getHttpAdapter().getInstance(), app.get(AuditService));
  registerOperationMetrics(app.getHttpAdapter().getInstance(), app.get<Registry>(METRICS_REGISTRY));
  return app;
}
