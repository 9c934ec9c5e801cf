import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { frameworkProblem } from '../errors/framework-errors';
import { toProblem } from '../errors/problem-details.filter';
import { ProblemException } from '../errors/problem.exception';
import { noteProblemCode } from '../metrics/http-metrics';

/**
 * A percent-escaped C0 control character (%00-%1F), DEL (%7F) or a UTF-8 encoded C1 control
 * (%C2%80-%C2%9F). Node's parser already refuses raw control bytes in the request line, so the
 * escaped form is the only way one reaches a route parameter, a query value or a database.
 */
const ESCAPED_CONTROL_CHARACTER = /%(?:[01][0-9a-f]|7f|c2%[89][0-9a-f])/i;

/** Methods whose routes never read a body: one sent anyway is refused rather than silently ignored. */
const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'DELETE']);

function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** Deepest JSON nesting a request body may have: far beyond any real payload, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

export function hasEscapedControlCharacter(url: string): boolean {
  return ESCAPED_CONTROL_CHARACTER.test(url);
}

/**
 * The nesting depth of a JSON text, counted without parsing it (one pass, strings skipped), so a
 * body nested thousands deep is refused before any recursive parser or validator sees it. Stops
 * counting once `limit` is passed.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemException): void {
  const { body } = toProblem(problem, request);
  noteProblemCode(request, body.code);
  void reply.code(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
}

/**
 * What every MazeVault HTTP service refuses before routing, and the framework's own errors in the
 * same RFC 7807 shape as ours:
 * - a URL carrying an escaped control character (400 `invalid_url`): NUL in a path segment used to
 *   reach PostgreSQL (which refuses it) through the audit log;
 * - a body on GET, HEAD or DELETE (400 `body_not_accepted`): no such route reads one, and a body that
 *   is silently ignored (`DELETE …/secrets/x {"versions":[2]}` deleted the current version) misleads;
 * - JSON bodies nested deeper than MAX_JSON_DEPTH (400 `json_too_deep`);
 * - Fastify's malformed-URL errors (`FST_ERR_BAD_URL`) and Node's client errors (431 headers too
 *   large, 400 malformed request) as problem+json instead of bare text.
 */
export function registerRequestBoundary(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (hasEscapedControlCharacter(request.url)) {
      sendProblem(
        reply,
        request,
        new ProblemException(
          400,
          'invalid_url',
          'The URL contains a control character (such as %00); paths, names and query values may not',
        ),
      );
      return;
    }
    if (BODILESS_METHODS.has(request.method) && carriesBody(request)) {
      sendProblem(
        reply,
        request,
        new ProblemException(
          400,
          'body_not_accepted',
          `${request.method} takes no request body; a body would be ignored, so it is refused`,
        ),
      );
      return;
    }
    done();
  });

  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (request, body, done) => {
      if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
        done(
          new ProblemException(
            400,
            'json_too_deep',
            `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`,
          ),
          undefined,
        );
        return;
      }
      // Nest's error handler would turn the parser's FST_ERR_CTP_* errors into bare HttpExceptions (the
      // code lost); a ProblemException reaches our filter as is.
      void parseJson(request, body as string, (error, value) => {
        if (!error) {
          done(null, value);
          return;
        }
        const problem = frameworkProblem(error) ?? {
          status: 400,
          code: 'invalid_json',
          detail: 'The request body is not valid JSON',
        };
        done(new ProblemException(problem.status, problem.code, problem.detail), undefined);
      });
    },
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a malformed URL 400, a path
 * parameter over maxParamLength 414) as problem+json.
 */
export function frameworkErrorHandler(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const problem = frameworkProblem(error) ?? {
    status: 400,
    code: 'bad_request',
    detail: 'The request could not be routed',
  };
  sendProblem(reply, request, new ProblemException(problem.status, problem.code, problem.detail));
}

/**
 * Fastify's `clientErrorHandler` option: Node's parser refused the request (headers too large, a
 * malformed request line). There is no request object yet, so the answer is written to the socket.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request';
  const detail =
    status === 431
      ? 'The request headers are too large'
      : status === 408
        ? 'The request took too long to arrive'
        : 'The request is not valid HTTP';
  const { body } = toProblem(new ProblemException(status, code, detail), {});
  const payload = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
  );
}
