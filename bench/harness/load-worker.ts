// Child side of runLoad(): receives one WorkerJob over IPC, runs autocannon, sends back the summary, exits.
import type { LoadResult, WorkerJob } from './load';

// autocannon ships no type declarations (and @types/autocannon is not installed): describe only what we use.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

async function run(job: WorkerJob): Promise<LoadResult> {
  let requests = job.requests;
  if (job.requestsModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(job.requestsModule) as { requests?: unknown };
    if (!Array.isArray(mod.requests))
      throw new Error(`${job.requestsModule} must export a \`requests\` array`);
    requests = mod.requests;
  }
  const res = await autocannon(
    withoutUndefined({
      url: job.url,
      method: job.method,
      headers: job.headers,
      body: job.body,
      requests,
      connections: job.connections,
      duration: job.durationSeconds,
      // Built-in autocannon warm-up: same options, separate run whose numbers are discarded.
      ...(job.warmupSeconds > 0
        ? { warmup: { connections: job.connections, duration: job.warmupSeconds } }
        : {}),
      // Keep autocannon quiet: the bench prints its own summary, and stdout must end with our JSON line.
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    }),
  );
  return {
    rps: res.requests.average,
    p50_ms: res.latency.p50,
    p99_ms: res.latency.p99,
    errors: res.errors,
    non2xx: res.non2xx,
    total: res.requests.total,
    connections: job.connections,
    duration_s: job.durationSeconds,
  };
}

/** autocannon spreads options over its defaults, so an explicit `method: undefined` would erase 'GET'. */
function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

process.once('message', (job: WorkerJob) => {
  run(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.send!({ ok: false, error }, () => process.exit(1));
    },
  );
});
