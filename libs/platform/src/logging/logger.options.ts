import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { pino, type Logger } from 'pino';

/**
 * Field names whose values never reach a log line, at any depth pino can express. Request headers
 * and bodies are not logged at all; these paths catch what a developer might log by hand.
 */
export const REDACTED_FIELDS = ['authorization', 'password', 'token', 'secret', 'value', 'cookie'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-vault-token"]',
  ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A caller-provided `x-request-id` is kept when well-formed (for tracing across services), else a new one. */
export function requestIdFor(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/** The one pino logger of a service: Fastify's request logger and Nest's logger both write through it. */
export function createServiceLogger(options: { level: string; service: string }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    messageKey: 'msg',
  });
}

/**
 * nestjs-pino over Fastify's own per-request logger (`useExisting`): Nest code logging inside a
 * request gets the request's `reqId` binding, without a second, per-request pino-http middleware
 * (which cost about half the throughput of a cached secret read).
 */
export function nestLoggerParams(logger: Logger): Params {
  return {
    // Named wildcard: the path-to-regexp v8 syntax Nest 11 expects (a bare '*' logs a warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    useExisting: true,
    pinoHttp: { logger },
  };
}

/** Health and metrics scrapes would drown everything else in the access log. */
export const QUIET_PATHS = new Set(['/metrics', '/api/v1/health', '/api/v1/health/live']);
