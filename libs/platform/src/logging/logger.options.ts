import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

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

export function loggerOptions(options: { level: string; service: string }): Params {
  return {
    // Named wildcard: the path-to-regexp v8 syntax Nest 11 expects (a bare '*' logs a warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      genReqId: (req, res) => {
        const id = requestIdFor(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Health and metrics scrapes would drown everything else.
      autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/api/v1/health' },
    },
  };
}
