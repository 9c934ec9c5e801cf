import type { Server } from 'node:http';
import { constants } from 'node:os';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * Counts requests between arrival and the end of their response (finished or aborted), so shutdown
 * can wait for the ones in flight.
 */
export class InFlightRequests {
  private count = 0;
  private readonly waiting = new Set<() => void>();

  constructor(server: Server) {
    server.on('request', (_request, response: { once(event: 'close', listener: () => void): unknown }) => {
      this.count += 1;
      response.once('close', () => {
        this.count -= 1;
        if (this.count === 0) for (const wake of this.waiting) wake();
      });
    });
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`, whichever comes first. */
  settled(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiting.add(done);
    });
  }
}

/**
 * Stops an app the way a rolling update needs: stop taking requests (a request arriving on a kept-alive
 * connection is answered 503 with `Connection: close`), let those in flight finish (up to `graceMs`),
 * close the remaining connections, and only then run Nest's shutdown (module destroy hooks: database
 * pools, worker threads, queues).
 *
 * Nest's own `enableShutdownHooks` runs the destroy hooks first and closes the HTTP server last, so a
 * request in flight at SIGTERM met a closed database pool or a terminated worker and answered 500.
 */
export async function drainAndClose(
  app: NestFastifyApplication,
  inFlight: InFlightRequests,
  graceMs: number,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const closing = fastify.close();
  await inFlight.settled(graceMs);
  // Idle kept-alive connections would otherwise hold close() until their keep-alive timeout.
  (app.getHttpServer() as Server).closeAllConnections();
  await closing;
  await app.close();
}

/**
 * The default end of a signal-driven shutdown: re-raise the signal so the process ends as it would have.
 * In a container the process is often PID 1, for which the kernel ignores a signal nobody handles; and
 * a handle left open would keep it alive. So if it is still here a second later, it exits itself.
 */
function endProcess(signal: NodeJS.Signals): void {
  setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 15)), 1_000).unref();
  process.kill(process.pid, signal);
}

/**
 * On SIGTERM or SIGINT: drain, close, then `afterClose` — by default {@link endProcess}; a host that
 * owns more (the dev platform's child processes) passes its own.
 */
export function enableGracefulShutdown(
  app: NestFastifyApplication,
  graceMs = DEFAULT_SHUTDOWN_GRACE_MS,
  afterClose: (signal: NodeJS.Signals) => Promise<void> | void = endProcess,
): InFlightRequests {
  const inFlight = new InFlightRequests(app.getHttpServer() as Server);
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of signals) process.removeListener(s, onSignal);
    drainAndClose(app, inFlight, graceMs).then(
      () => afterClose(signal),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).stack ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  // An app closed by its owner (a test, a CLI) leaves no listener behind.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', (_instance, done) => {
      for (const s of signals) process.removeListener(s, onSignal);
      done();
    });
  return inFlight;
}
