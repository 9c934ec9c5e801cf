// Runs the system under test in its own process. Why not in the bench process: autocannon and the server
// would then share one event loop, and the load generator's CPU would be counted against the server.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { track } from './children';
import { REGISTER, REPO_ROOT } from './paths';
import { READY_KEY } from './protocol';

export interface ServerProcessOptions {
  /** Extra env for the child, merged over process.env. PORT is set from `port` (default 0 = OS picks). */
  env?: Record<string, string | undefined>;
  /** Extra argv after the script path. */
  args?: string[];
  /**
   * How to recognise the ready line when the server does not print `{"listening":port}`: the first capture
   * group must be the port (or, when `port` is fixed, the pattern may have no group at all).
   */
  readyPattern?: RegExp;
  /**
   * Fixed port. Passed as PORT, and readiness is also detected by polling TCP connects, so servers that
   * print nothing useful (e.g. a full Nest app) still work.
   */
  port?: number;
  /** Give up after this long; generous by default because SWC compiles the script on first start. */
  readyTimeoutMs?: number;
  /** Prefix for forwarded child output (stderr of this process, so stdout stays clean for the JSON line). */
  label?: string;
}

export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the child has exited. Idempotent. */
  stop(): Promise<void>;
}

export async function startServerProcess(
  scriptPath: string,
  opts: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const script = path.resolve(REPO_ROOT, scriptPath);
  const label = opts.label ?? path.basename(script, path.extname(script));
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;

  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the system under test.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '-r', REGISTER, script, ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env, PORT: String(opts.port ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(force);
    }
  };

  // Keep the last stderr lines so a server that crashes during startup produces a useful error.
  const tail: string[] = [];
  const forward = (line: string) => process.stderr.write(`[${label}] ${line}\n`);
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    forward(line);
  });

  const stdoutLines = readline.createInterface({ input: child.stdout });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null, port?: number) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(port!);
      };
      const timer = setTimeout(
        () => finish(new Error(`${label}: not ready after ${timeoutMs} ms`)),
        timeoutMs,
      );

      stdoutLines.on('line', (line) => {
        const port = done ? undefined : parseReady(line, opts);
        if (port !== undefined) finish(null, port);
        else forward(line);
      });
      child.once('error', (err) => finish(err));
      child.once('exit', (code, signal) =>
        finish(
          new Error(
            `${label} exited before ready (code=${code}, signal=${signal})` +
              (tail.length ? `:\n${tail.join('\n')}` : ''),
          ),
        ),
      );
      if (opts.port)
        pollTcp(
          opts.port,
          () => done,
          () => finish(null, opts.port),
        );
    });
    stdoutLines.close();
    divertToLogFile(child.stdout, label);
    return { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Once the server is up its stdout (with the access log on, a line per request: thousands a second) goes
 * to a file in raw chunks, as a container runtime would take it. Split into lines and echoed here, it
 * cost this process a tenth of a core that the 2-core machine's server and load generator compete for.
 */
function divertToLogFile(stdout: NodeJS.ReadableStream, label: string): void {
  const dir = path.join(os.tmpdir(), 'mazevault-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${label}.log`);
  stdout.pipe(createWriteStream(file));
  process.stderr.write(`[bench] ${label} output from here on: ${file}\n`);
}

function parseReady(line: string, opts: ServerProcessOptions): number | undefined {
  if (opts.readyPattern) {
    const m = opts.readyPattern.exec(line);
    if (!m) return undefined;
    const port = m[1] !== undefined ? Number(m[1]) : opts.port;
    return port && Number.isInteger(port) ? port : undefined;
  }
  if (!line.startsWith('{')) return undefined;
  try {
    const port = (JSON.parse(line) as Record<string, unknown>)[READY_KEY];
    return typeof port === 'number' && Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Connect-polls a fixed port every 100 ms until it accepts or `stopped()` says someone else finished. */
function pollTcp(port: number, stopped: () => boolean, onOpen: () => void): void {
  const attempt = () => {
    if (stopped()) return;
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      onOpen();
    });
    sock.once('error', () => {
      sock.destroy();
      setTimeout(attempt, 100);
    });
  };
  attempt();
}
