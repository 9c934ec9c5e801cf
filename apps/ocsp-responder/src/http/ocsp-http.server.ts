import { clientErrorHandler, writeProblem } from '@mazevault/platform';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { errorAnswer, type OcspAnswer, type OcspResponderService } from '../ocsp/ocsp-responder';

export interface OcspHttpOptions {
  bodyLimitBytes: number;
  maxAgeSeconds: number;
  registry: Registry;
  /** Readiness: the database answers and at least one CA is loaded. */
  health: () => Promise<{ ready: boolean; details: Record<string, unknown> }>;
  log: (level: 'warn' | 'error', message: string) => void;
}

export interface OcspMetrics {
  requests: Counter<'status' | 'outcome'>;
  cacheHits: Counter;
  cacheMisses: Counter;
  signing: Histogram;
  /**
   * Hot-path tallies: plain integers bumped per request and folded into the prom-client counters above
   * when /metrics is scraped (their `collect`), so a request costs an increment, not a label-hash lookup.
   */
  tally: OcspTally;
}

export class OcspTally {
  hits = 0;
  misses = 0;
  private readonly cells = new Map<
    string,
    { status: string; outcome: string; n: number; reported: number }
  >();

  /** The counter cell for (status, outcome); callers keep it and do `cell.n++`. */
  cell(status: number, outcome: string): { n: number } {
    const key = `${status}|${outcome}`;
    let c = this.cells.get(key);
    if (!c) {
      c = { status: String(status), outcome, n: 0, reported: 0 };
      this.cells.set(key, c);
    }
    return c;
  }

  /** Push what accumulated since the last scrape into the prom-client counter. */
  flushRequests(counter: Counter<'status' | 'outcome'>): void {
    for (const c of this.cells.values()) {
      if (c.n > c.reported) {
        counter.labels(c.status, c.outcome).inc(c.n - c.reported);
        c.reported = c.n;
      }
    }
  }
}

export function createOcspMetrics(registry: Registry): OcspMetrics {
  const tally = new OcspTally();
  let hitsReported = 0;
  let missesReported = 0;
  const cacheHits = new Counter({
    name: 'mazevault_ocsp_cache_hits_total',
    help: 'OCSP answers served from the pre-signed cache',
    registers: [registry],
    collect() {
      if (tally.hits > hitsReported) this.inc(tally.hits - hitsReported);
      hitsReported = tally.hits;
    },
  });
  const cacheMisses = new Counter({
    name: 'mazevault_ocsp_cache_misses_total',
    help: 'OCSP answers that needed a database read and a signature',
    registers: [registry],
    collect() {
      if (tally.misses > missesReported) this.inc(tally.misses - missesReported);
      missesReported = tally.misses;
    },
  });
  new Gauge({
    name: 'mazevault_ocsp_cache_hit_ratio',
    help: 'Cache hits / (hits + misses) since start',
    registers: [registry],
    collect() {
      const { hits, misses } = tally;
      this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
    },
  });
  return {
    requests: new Counter({
      name: 'mazevault_ocsp_requests_total',
      help: 'OCSP requests by HTTP status and OCSP outcome',
      labelNames: ['status', 'outcome'] as const,
      registers: [registry],
      collect() {
        tally.flushRequests(this);
      },
    }),
    cacheHits,
    cacheMisses,
    signing: new Histogram({
      name: 'mazevault_ocsp_signing_seconds',
      help: 'Time to sign one OCSP response',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [registry],
    }),
    tally,
  };
}

const OCSP_RESPONSE = 'application/ocsp-response';
const MAX_GET_URL_BYTES = 8 * 1024;

/**
 * Plain node:http, no framework, on the hot path: a cache hit is a map lookup and one write. RFC 5019:
 * POST `application/ocsp-request` (any path) and GET `/<url-encoded base64 DER>`. Every input, however
 * broken, gets an OCSP answer (malformedRequest) or a 4xx — never a crash.
 */
export function createOcspHttpServer(
  responder: OcspResponderService,
  metrics: OcspMetrics,
  options: OcspHttpOptions,
): http.Server {
  const { tally } = metrics;
  const count = (status: number, outcome: string) => tally.cell(status, outcome).n++;
  const maxAgeMs = options.maxAgeSeconds * 1000;

  /**
   * Headers of a cacheable answer (RFC 5019 §6). While the remaining validity exceeds the configured
   * max-age (always, for entries refreshed at half-life with max-age ≪ validity), every header is
   * constant: computed once per signed response, then reused by every hit.
   */
  const cacheHeaders = (
    answer: OcspAnswer,
    cache: NonNullable<OcspAnswer['cache']>,
    now: number,
  ): Record<string, string | number> => {
    const remaining = Math.floor((cache.nextUpdateMs - now) / 1000);
    const maxAge = Math.max(0, Math.min(options.maxAgeSeconds, remaining));
    return {
      'content-type': OCSP_RESPONSE,
      'content-length': answer.body.length,
      'cache-control': `max-age=${maxAge}, public, no-transform, must-revalidate`,
      'last-modified': cache.lastModified,
      etag: cache.etag,
      expires: new Date(cache.nextUpdateMs).toUTCString(),
    };
  };

  /** Cache hit: one map lookup happened before this; here only a memo check, one counter bump, one write. */
  const sendCached = (res: ServerResponse, answer: OcspAnswer, now: number): void => {
    let wire = answer.wire;
    if (wire === undefined || now >= wire.validUntilMs) {
      const cache = answer.cache!;
      wire = {
        headers: cacheHeaders(answer, cache, now),
        validUntilMs: cache.nextUpdateMs - maxAgeMs,
        stat: tally.cell(200, answer.outcome),
      };
      // Memoize only while max-age is the configured constant; closer to nextUpdate it shrinks per request.
      if (now < wire.validUntilMs) answer.wire = wire;
    }
    tally.hits++;
    wire.stat.n++;
    res.writeHead(200, wire.headers);
    res.end(answer.body);
  };

  const sendAnswer = (res: ServerResponse, answer: OcspAnswer) => {
    const headers: Record<string, string | number> = answer.cache
      ? cacheHeaders(answer, answer.cache, Date.now())
      : { 'content-type': OCSP_RESPONSE, 'content-length': answer.body.length, 'cache-control': 'no-store' };
    if (answer.hit) tally.hits++;
    else if (answer.cache) tally.misses++;
    res.writeHead(200, headers);
    res.end(answer.body);
    count(200, answer.outcome);
  };

  /** Every HTTP-level refusal is problem+json, with the same stable codes as the other services. */
  const problem = (res: ServerResponse, status: number, detail: string, headers?: Record<string, string>) => {
    if (res.headersSent) return;
    writeProblem(res, status, detail, { ...(headers && { headers }), instance: res.req.url ?? '/' });
    count(status, 'http');
  };

  const plain = (res: ServerResponse, status: number, body: string, type = 'text/plain') => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    count(status, 'http');
  };

  const onAnswer = (res: ServerResponse) => (answer: OcspAnswer) => sendAnswer(res, answer);
  const onFailure = (res: ServerResponse) => (error: unknown) => {
    options.log('error', `OCSP answer failed: ${(error as Error).message}`);
    sendAnswer(res, errorAnswer('internalError'));
  };

  const respond = (res: ServerResponse, der: Buffer) => {
    // The exact request bytes are the cache key: a hit needs no ASN.1 parsing and no promise.
    const key = der.toString('latin1');
    const now = responder.nowMs();
    const cached = responder.lookup(key, now);
    if (cached !== undefined) {
      sendCached(res, cached, now);
      return;
    }
    responder.answer(der, key).then(onAnswer(res), onFailure(res));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (req.method === 'POST') {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > options.bodyLimitBytes) {
        problem(res, 413, `The request body is larger than ${options.bodyLimitBytes} bytes`, {
          connection: 'close',
        });
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        if (tooLarge) return;
        size += chunk.length;
        if (size > options.bodyLimitBytes) {
          tooLarge = true;
          problem(res, 413, `The request body is larger than ${options.bodyLimitBytes} bytes`, {
            connection: 'close',
          });
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!tooLarge) respond(res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      });
      req.on('error', () => res.destroy());
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      problem(res, 405, 'OCSP requests are GET or POST (RFC 6960 A.1)', { allow: 'GET, POST' });
      return;
    }
    if (url === '/api/v1/health') {
      options.health().then(
        (h) =>
          plain(
            res,
            h.ready ? 200 : 503,
            JSON.stringify({ status: h.ready ? 'ok' : 'degraded', ready: h.ready, ...h.details }),
            'application/json',
          ),
        () => plain(res, 503, JSON.stringify({ status: 'degraded', ready: false }), 'application/json'),
      );
      return;
    }
    if (url === '/metrics') {
      options.registry.metrics().then(
        (text) => plain(res, 200, text, options.registry.contentType),
        () => problem(res, 500, 'Metrics are unavailable'),
      );
      return;
    }
    // RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}.
    // RFC 5019 §5: GET is for requests under 255 bytes; 8 KB of URL is generous and stays under Node's
    // 16 KB header limit (beyond it Node answers 431 before we see the request).
    if (url.length > Math.min(options.bodyLimitBytes * 2, MAX_GET_URL_BYTES)) {
      problem(res, 414, 'The request URI is too long; POST large requests');
      return;
    }
    let der: Buffer;
    try {
      const encoded = decodeURIComponent(url.slice(1)).replace(/\s/g, '');
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(encoded)) throw new Error('not base64');
      der = Buffer.from(encoded, 'base64');
    } catch {
      sendAnswer(res, errorAnswer('malformedRequest'));
      return;
    }
    respond(res, der);
  };

  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      options.log('error', `request handling failed: ${(error as Error).message}`);
      if (!res.headersSent) sendAnswer(res, errorAnswer('internalError'));
    }
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  // Node refused the request before it was one (headers too large, a malformed request line).
  server.on('clientError', clientErrorHandler);
  return server;
}
