import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { codeForStatus } from '../errors/framework-errors';
import { PROBLEM_TYPE_BASE, type ProblemBody } from '../errors/problem.exception';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** An RFC 7807 body, the same shape toProblem gives the Nest apps. */
export function problemBody(status: number, code: string, detail: string, instance?: string): ProblemBody {
  return {
    type: PROBLEM_TYPE_BASE + code,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance: instance.split('?')[0] } : {}),
  };
}

/**
 * Answer a plain node:http request (the OCSP responder has no framework on its hot path) with a
 * problem+json; `code` defaults to the status's stable code. No-op once headers went out.
 */
export function writeProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  options: { code?: string; headers?: Record<string, string>; instance?: string } = {},
): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(
    problemBody(status, options.code ?? codeForStatus(status), detail, options.instance),
  );
  res.writeHead(status, {
    ...options.headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
