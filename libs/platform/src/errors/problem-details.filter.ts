import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { noteProblemCode } from '../metrics/http-metrics';
import { codeForStatus, frameworkProblem } from './framework-errors';
import { PROBLEM_TYPE_BASE, type ProblemBody, ProblemException } from './problem.exception';

interface FastifyLikeRequest {
  id?: string;
  url?: string;
}
interface FastifyLikeReply {
  status(code: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(body: unknown): unknown;
}

export function toProblem(
  exception: unknown,
  request: FastifyLikeRequest,
): { body: ProblemBody; headers: Record<string, string> } {
  if (exception instanceof ProblemException) {
    return {
      body: problem(exception.getStatus(), exception.code, exception.detail, request, exception.extra.errors),
      headers: exception.extra.headers ?? {},
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { body: problem(status, codeForStatus(status), frameworkDetail(exception), request), headers: {} };
  }
  // Fastify's own errors (body too large, bad JSON, wrong content type, parameter too long).
  const framework = frameworkProblem(exception);
  if (framework)
    return { body: problem(framework.status, framework.code, framework.detail, request), headers: {} };
  return {
    body: problem(
      500,
      'internal_error',
      'An internal error occurred; quote the request id to an operator.',
      request,
    ),
    headers: {},
  };
}

function frameworkDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : (STATUS_CODES[exception.getStatus()] ?? 'Error');
}

function problem(
  status: number,
  code: string,
  detail: string,
  request: FastifyLikeRequest,
  errors?: { path: string; message: string }[],
): ProblemBody {
  return {
    type: PROBLEM_TYPE_BASE + code,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(request.url ? { instance: request.url.split('?')[0] } : {}),
    ...(request.id ? { requestId: request.id } : {}),
    ...(errors ? { errors } : {}),
  };
}

/** Renders every error as `application/problem+json` (RFC 7807). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyLikeRequest>();
    const reply = http.getResponse<FastifyLikeReply>();
    const { body, headers } = toProblem(exception, request);
    noteProblemCode(request, body.code);
    if (body.status >= HttpStatus.INTERNAL_SERVER_ERROR) {
      // The full error goes to the log (with the request id), never to the client.
      this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    }
    reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8');
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.send(body);
  }
}
