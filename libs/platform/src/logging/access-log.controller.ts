import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { QUIET_PATHS } from './logger.options';

/**
 * Which requests get an access-log line: every one, only failures (status ≥ 400 or an error), or none.
 * Each line costs CPU on the hot paths (measured: a tenth of a cached secret read's throughput on 2
 * vCPUs); a service picks its default (the Primary: failures, see its ACCESS_LOG).
 */
export const ACCESS_LOG_MODES = ['all', 'errors', 'off'] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];

/**
 * One access-log line per request (Fastify's default is two), with only method, URL, status and
 * duration — never headers or bodies — and none for health and metrics scrapes.
 */
export class AccessLogController extends LogController {
  constructor(
    private readonly log: Logger,
    private readonly mode: AccessLogMode = 'all',
  ) {
    super();
  }

  override incomingRequest(): void {
    // The completion line carries everything; logging arrival too would double the volume.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.mode === 'off' || QUIET_PATHS.has(request.url)) return;
    if (this.mode === 'errors' && !error && reply.statusCode < 400) return;
    const line = {
      reqId: request.id,
      req: { method: request.method, url: request.url },
      res: { statusCode: reply.statusCode },
      responseTime: reply.elapsedTime,
    };
    // Errors go through the request's own (redacting) logger: an error object may carry anything.
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else this.log.info(line, 'request completed');
  }
}
