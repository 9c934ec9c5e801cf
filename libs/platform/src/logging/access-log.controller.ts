import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { QUIET_PATHS } from './logger.options';

/**
 * One access-log line per request (Fastify's default is two), with only method, URL, status and
 * duration — never headers or bodies — and none for health and metrics scrapes.
 */
export class AccessLogController extends LogController {
  constructor(private readonly log: Logger) {
    super();
  }

  override incomingRequest(): void {
    // The completion line carries everything; logging arrival too would double the volume.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (QUIET_PATHS.has(request.url)) return;
    const line = { reqId: request.id, req: { method: request.method, url: request.url }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    // Errors go through the request's own (redacting) logger: an error object may carry anything.
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else this.log.info(line, 'request completed');
  }
}
