// Parent side of the load generator. autocannon runs in a forked child (load-worker.ts) rather than in
// the bench process: the bench process also parses server output and does bookkeeping, and keeping the
// generator alone on its event loop makes runs comparable. The server is a third process.
import { fork } from 'node:child_process';
import path from 'node:path';
import { track } from './children';
import { REGISTER, REPO_ROOT } from './paths';
import { withCpu } from './cpu';

/** A static autocannon request (JSON-serialisable: it crosses a process boundary). */
export interface LoadRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  /** Bench's preferred duration. BENCH_DURATION_S, when set, wins so CI/humans can shorten any bench. */
  durationSeconds?: number;
  /** Warm-up run (results discarded) so JIT/caches are hot before measuring. BENCH_WARMUP_S wins. */
  warmupSeconds?: number;
  /** Static request sequence, cycled by every connection. */
  requests?: LoadRequest[];
  /**
   * Path to a module whose `requests` export is an autocannon request array that may contain functions
   * (`setupRequest(req, ctx)`, `onResponse(status, body, ctx)`), e.g. to sign each request or walk a list
   * of serials. Functions cannot cross the process boundary, so the worker `require`s this module itself.
   */
  requestsModule?: string;
}

export interface LoadResult {
  /** Mean requests/second over the measured seconds. */
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Socket errors + timeouts. */
  errors: number;
  non2xx: number;
  /** Completed requests in the measured window. */
  total: number;
  connections: number;
  duration_s: number;
}

/** Message sent to the worker; resolved (env applied, paths absolute) so the worker does no policy. */
export interface WorkerJob extends Omit<LoadOptions, 'durationSeconds' | 'warmupSeconds'> {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

function envSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number of seconds, got "${raw}"`);
  return n;
}

/** Effective measured duration: env override, else the bench's choice, else 10 s. */
export function durationSeconds(benchDefault?: number): number {
  return envSeconds('BENCH_DURATION_S') ?? benchDefault ?? 10;
}

/** The job a load run executes: env overrides (BENCH_DURATION_S, BENCH_WARMUP_S) applied. */
function resolveJob(opts: LoadOptions): WorkerJob {
  const duration = durationSeconds(opts.durationSeconds);
  if (duration <= 0) throw new Error('duration must be > 0 seconds');
  return {
    ...opts,
    connections: opts.connections ?? 50,
    durationSeconds: duration,
    // Default warm-up: 1 s, skipped for runs under 5 s so short CI/smoke runs stay short.
    warmupSeconds:
      envSeconds('BENCH_WARMUP_S') ?? opts.warmupSeconds ?? Math.min(1, Math.floor(duration / 5)),
    requestsModule: opts.requestsModule && path.resolve(REPO_ROOT, opts.requestsModule),
  };
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  return runJob(resolveJob(opts));
}

/**
 * `runLoad` plus the server's CPU per completed request (`cpu_us`, over `pid` and its threads) counted
 * over the measured seconds only: the warm-up runs first, as a separate load run whose numbers and CPU
 * are discarded.
 */
export async function runLoadWithCpu(
  pid: number,
  opts: LoadOptions,
): Promise<LoadResult & { cpu_us: number }> {
  const job = resolveJob(opts);
  if (job.warmupSeconds > 0) await runJob({ ...job, durationSeconds: job.warmupSeconds, warmupSeconds: 0 });
  return withCpu(pid, () => runJob({ ...job, warmupSeconds: 0 }));
}

function runJob(job: WorkerJob): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load-worker.ts'), [], {
      cwd: REPO_ROOT,
      execArgv: ['-r', REGISTER],
      // The worker's own stdout goes to our stderr so nothing can land after the final JSON line.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    track(child);
    let result: LoadResult | undefined;
    let failure: Error | undefined;
    child.on('message', (msg: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      if (msg.ok) result = msg.result;
      else failure = new Error(`load worker: ${msg.error}`);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (result) resolve(result);
      else
        reject(failure ?? new Error(`load worker exited without a result (code=${code}, signal=${signal})`));
    });
    child.send(job);
  });
}
