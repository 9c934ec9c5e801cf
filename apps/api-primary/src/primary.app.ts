import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createServiceLogger } from '@mazevault/platform';
import { AppModule, type PrimaryAppOptions } from './app.module';
import { registerAuditResponseHook } from './audit/audit-response.hook';
import { AuditService } from './audit/audit.service';
import type { PrimaryConfig } from './config/primary.config';

/** Builds (but does not start) the Primary's HTTP app. */
export async function createPrimaryApp(config: PrimaryConfig, options: PrimaryAppOptions = {}): Promise<NestFastifyApplication> {
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
  return app;
}
