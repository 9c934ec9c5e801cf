import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
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
  // Two levels: deeper wildcards made redaction a visible share of every log line's cost.
  ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]),
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
  // Asynchronous, buffered stdout: a synchronous write per log line was ~7% of a cached secret read,
  // and one write per line still ~5%. Lines go out in 8 KiB writes, and at least every 250 ms; what
  // is still buffered when the process exits is flushed then (a SIGKILL loses at most that buffer).
  const destination = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // Destroyed while the process exits; the exit handler below has flushed it.
    }
  }, 250).unref();
  process.once('exit', () => destination.flushSync());
  const logger = pino(
    {
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      messageKey: 'msg',
    },
    destination,
  );
  // Access-log lines are built by us from four fixed fields (never headers or bodies), so they skip
  // the redaction walk that every other line pays for. ACCESS_LOG alone decides which requests get
  // a line: at LOG_LEVEL=warn an info-level writer would drop every one (`npm start` asked for `all`
  // and showed none). Only `silent` silences them too.
  const accessLevel = options.level === 'silent' ? 'silent' : 'info';
  accessLoggers.set(
    logger,
    pino({ level: accessLevel, base: { service: options.service }, messageKey: 'msg' }, destination),
  );
  return logger;
}

const accessLoggers = new WeakMap<Logger, Logger>();

/** The access-log writer paired with a service logger (the logger itself when it has none). */
export function accessLoggerOf(logger: Logger): Logger {
  return accessLoggers.get(logger) ?? logger;
}

/**
 * Nest's logger: nestjs-pino's Logger over the service's pino instance, built directly rather than
 * through LoggerModule, whose per-request middleware (pino-http, or an AsyncLocalStorage binding run
 * through @fastify/middie) cost about half the throughput of a cached secret read. Request logs come
 * from Fastify's own per-request logger, which carries `reqId`; code that logs about a request passes
 * the request id explicitly.
 */
export function createNestLogger(logger: Logger): NestPinoLogger {
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}

/** Health and metrics scrapes would drown everything else in the access log. */
export const QUIET_PATHS = new Set(['/metrics', '/api/v1/health', '/api/v1/health/live']);
