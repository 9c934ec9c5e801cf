/**
 * Stable problem codes for errors the framework raises before our code runs (routing, body parsing)
 * and for bare HTTP statuses, shared by every service: the Nest apps (through toProblem and the
 * Fastify error handlers) and the OCSP responder's plain node:http server. Clients branch on `code`;
 * Fastify's own codes and messages are implementation details that may change between versions.
 */
export interface FrameworkProblem {
  status: number;
  code: string;
  detail: string;
}

const BY_FASTIFY_CODE: Record<string, FrameworkProblem> = {
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'invalid_url',
    detail: 'The URL is malformed (an invalid percent-escape?)',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'uri_too_long',
    detail: 'A path segment is longer than any identifier here',
  },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request', detail: 'The request could not be routed' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'The request body has a content type this endpoint does not accept (send application/json)',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    detail: 'The request body is too large',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    detail: 'The request body does not match its Content-Length',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    detail: 'The request body is empty but declared as application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    detail: 'The request body is not valid JSON',
  },
};

/** Codes for bare statuses (the framework's HttpExceptions, our own plain answers). */
export const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  431: 'headers_too_large',
  500: 'internal_error',
  503: 'unavailable',
};

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? `http_${status}`;
}

/**
 * The problem for a framework error: by Fastify code, else a JSON SyntaxError from the body parser,
 * else any other 4xx carrying a `statusCode` (its own message is not passed on). Undefined for
 * everything else, which the caller treats as an internal error.
 */
export function frameworkProblem(error: unknown): FrameworkProblem | undefined {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'string' && BY_FASTIFY_CODE[code]) return BY_FASTIFY_CODE[code];
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  // By name, not instanceof: JSON.parse's SyntaxError may come from another realm (vm, Jest).
  if ((error as Error).name === 'SyntaxError') return BY_FASTIFY_CODE['FST_ERR_CTP_INVALID_JSON_BODY'];
  return {
    status: statusCode,
    code: codeForStatus(statusCode),
    detail: (error as Error).message || 'The request was refused',
  };
}
