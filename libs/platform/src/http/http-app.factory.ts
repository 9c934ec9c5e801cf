import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger as PinoLogger } from 'pino';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { AccessLogController, type AccessLogMode } from '../logging/access-log.controller';
import { lazyChildLoggerFactory } from '../logging/lazy-request-logger';
import { accessLoggerOf, createNestLogger, requestIdFor } from '../logging/logger.options';
import { enableGracefulShutdown } from './graceful-shutdown';
import { clientErrorHandler, frameworkErrorHandler, registerRequestBoundary } from './request-boundary';
import { staticSecurityHeaders } from './security-headers';

export const API_PREFIX = 'api/v1';
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  title: string;
  version?: string;
  bodyLimitBytes?: number;
  /**
   * Behind nginx or an ingress: trust X-Forwarded-For from these hops (true, a hop count, or a
   * comma-separated list of proxy addresses/CIDRs), so per-client rate limits see the real client.
   */
  trustProxy?: boolean | number | string;
  /** The service's pino logger (createServiceLogger); the same instance PlatformModule got. */
  logger: PinoLogger;
  /** Access-log lines for every request (default), failures only, or none. */
  accessLog?: AccessLogMode;
  /** Pino logs on by default; tests may turn them off. */
  bufferLogs?: boolean;
  /** On SIGTERM, how long requests in flight may take to finish before connections are closed (10 s). */
  shutdownGraceMs?: number;
  /** What follows a signal-driven shutdown once the app is closed (default: re-raise the signal). */
  afterShutdown?: (signal: NodeJS.Signals) => Promise<void> | void;
  /** Serve HTTPS with this certificate (PEM) instead of plain HTTP. */
  https?: { cert: string; key: string };
}

/**
 * Builds a NestJS app on Fastify the way every MazeVault service runs: a body size cap, security
 * headers, RFC 7807 errors, `/api/v1` prefix (but `/metrics` at the root), OpenAPI at `/api/docs`,
 * and a shutdown that lets requests in flight finish before modules are destroyed.
 */
export async function createHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // No Nest middleware anywhere (logging and headers are Fastify hooks), so no @fastify/middie
    // layer on every request.
    skipMiddie: true,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    loggerInstance: options.logger,
    logController: new AccessLogController(accessLoggerOf(options.logger), options.accessLog),
    childLoggerFactory: lazyChildLoggerFactory,
    // A well-formed caller x-request-id is kept (tracing across services), else a fresh UUID.
    requestIdHeader: false,
    genReqId: requestIdFor,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: options.bufferLogs ?? true,
    // A failure while building the app is thrown to the caller (main.ts reports it and exits; a test
    // sees a rejection), not turned into process.exit(1) by Nest.
    abortOnError: false,
    // Our own parsers (registerRequestBoundary): JSON with a nesting cap, forms.
    bodyParser: false,
  });
  app.useLogger(createNestLogger(options.logger));
  const securityHeaders = staticSecurityHeaders();
  const fastify = app.getHttpAdapter().getInstance();
  registerRequestBoundary(fastify, options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders).header('x-request-id', request.id);
    done();
  });

  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  app.useGlobalFilters(new ProblemDetailsFilter());
  enableGracefulShutdown(app, options.shutdownGraceMs, options.afterShutdown);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setVersion(options.version ?? '0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'A user JWT from /api/v1/auth/login or an API token (mvt_...)',
      })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
