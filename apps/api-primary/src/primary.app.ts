import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createServiceLogger } from '@mazevault/platform';
import { AppModule, type PrimaryAppOptions } from './app.module';
import { auditDenials } from './audit/audit.interceptor';
import { AuditService } from './audit/audit.service';
import type { PrimaryConfig } from './config/primary.config';

/** Builds (but does not start) the Primary's HTTP app. */
export function createPrimaryApp(config: PrimaryConfig, options: PrimaryAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = createServiceLogger({ level: config.LOG_LEVEL, service: 'api-primary' });
  return createHttpApp(AppModule.forConfig(config, logger, options), {
    logger,
    title: 'MazeVault Primary API',
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    errorHook: (app) => auditDenials(app.get(AuditService)),
  });
}
