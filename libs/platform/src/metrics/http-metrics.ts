import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Where a request's problem code is noted (by the problem+json writers) for the metrics hook. */
export const PROBLEM_CODE = Symbol('mazevault.problemCode');
export type WithProblemCode = { [PROBLEM_CODE]?: string };

/** Notes the problem code of an error answer on the request, for `mazevault_auth_failures_total`. */
export function noteProblemCode(request: object, code: string): void {
  (request as WithProblemCode)[PROBLEM_CODE] = code;
}

/** A route template for every matched route; one value for everything else, so labels stay bounded. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions?.url ?? '(unmatched)';
}

function counterOf<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly T[],
): Counter<T> {
  return (
    (registry.getSingleMetric(name) as Counter<T> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

/**
 * Request metrics every MazeVault HTTP service exports, in the `mazevault_*` family:
 * - `mazevault_http_requests_total{method,route,status}` — by route *template*, never the raw path
 *   (a secret's path is a name worth hiding, and raw paths would make unbounded series);
 * - `mazevault_http_request_duration_seconds{method,route}` — latency histogram;
 * - `mazevault_auth_failures_total{reason}` — 401s and login refusals by their problem code.
 */
export function registerHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const requests = counterOf(
    registry,
    'mazevault_http_requests_total',
    'HTTP requests answered, by route template and status',
    ['method', 'route', 'status'] as const,
  );
  const duration =
    (registry.getSingleMetric('mazevault_http_request_duration_seconds') as
      Histogram<'method' | 'route'> | undefined) ??
    new Histogram({
      name: 'mazevault_http_request_duration_seconds',
      help: 'Time from request to response, by route template',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  const authFailures = counterOf(
    registry,
    'mazevault_auth_failures_total',
    'Authentication failures (401, and 429 on login), by reason',
    ['reason'] as const,
  );

  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    requests.inc({ method: request.method, route, status: String(status) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (status === 401 || (status === 429 && route.includes('/auth/'))) {
      authFailures.inc({
        reason:
          (request as WithProblemCode)[PROBLEM_CODE] ??
          (status === 401 ? 'unauthenticated' : 'too_many_requests'),
      });
    }
    done();
  });
}
