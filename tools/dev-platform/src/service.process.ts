import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..', '..');
const START_TIMEOUT_MS = 60_000;

export interface ServiceProcess {
  url: string;
  /** SIGTERM (the service drains and closes), resolved once it has exited. */
  stop(): Promise<void>;
  /** Resolves if the process ends on its own (a crash): the platform then stops. */
  exited: Promise<number | null>;
}

/**
 * Runs an app's entry point (`apps/<app>/src/main.ts`) as a child process: the dev platform never
 * imports an app, each stays its own deployable. The child gets a process group of its own, so a
 * Ctrl+C in the terminal reaches the platform only, which stops the services in order (the Primary
 * first, while its database and Redis are still up). Resolves once `ready(url)` says it serves.
 */
async function startService(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
  url: string,
  ready: (child: ChildProcess) => Promise<void>,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', entry], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // However the platform ends, its services end with it.
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const died = exited.then((code) => {
    throw new Error(`the ${name} exited with code ${code}`);
  });
  died.catch(() => undefined); // reported through the race below, or later through `exited`
  await Promise.race([
    ready(child).then(() => {
      if (child.exitCode !== null) return died;
    }),
    died,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the ${name} did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
    }),
  ])
    .catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    })
    .finally(() => clearTimeout(timer));
  return {
    url,
    exited,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** apps/ocsp-responder: ready when it prints `{"listening":port}`. */
export function startOcspResponder(
  env: Record<string, string | undefined>,
  port: number,
): Promise<ServiceProcess> {
  const url = `http://127.0.0.1:${port}`;
  return startService(
    'OCSP responder',
    'apps/ocsp-responder/src/main.ts',
    { ...env, HOST: '127.0.0.1', PORT: String(port) },
    url,
    (child) =>
      new Promise((resolve) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (/"listening":\d+/.test(line)) resolve();
        });
      }),
  );
}

/** apps/api-primary (its production main.ts): ready when /api/v1/health/live answers. */
export function startPrimary(
  env: Record<string, string | undefined>,
  host: string,
  port: number,
): Promise<ServiceProcess> {
  const url = `http://${host}:${port}`;
  return startService(
    'Primary',
    'apps/api-primary/src/main.ts',
    { ...env, HOST: host, PORT: String(port) },
    url,
    async (child) => {
      child.stdout!.pipe(process.stdout);
      for (;;) {
        if (
          await fetch(`${url}/api/v1/health/live`).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        if (child.exitCode !== null) return; // `exited` reports it
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  );
}

/** Runs a one-shot CLI of the repository to its end; resolves with what it printed on stdout. */
export function runCli(
  name: string,
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<string> {
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', entry, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${name} exited with code ${code}`)),
    );
  });
}

/** Whether `GET <scheme>://127.0.0.1:<port>/api/v1/health/live` answers 200 (certificate not checked). */
function answersLive(scheme: 'https' | 'http', port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = (scheme === 'https' ? httpsGet : httpGet)(
      // The dev gateway's certificate is its own self-signed one; this only asks our child whether it serves.
      { host: '127.0.0.1', port, path: '/api/v1/health/live', rejectUnauthorized: false, timeout: 2000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * apps/gateway (its production main.ts) on 127.0.0.1:`port`, with exactly the environment given (no
 * inheritance: the gateway never sees the Primary's secrets). Ready when /api/v1/health/live answers,
 * over HTTPS (its own certificate) or plain HTTP; the URL says which.
 */
export async function startGatewayProcess(
  env: Record<string, string | undefined>,
  port: number,
): Promise<ServiceProcess> {
  let scheme: 'https' | 'http' = 'https';
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  const service = await startService(
    'gateway',
    'apps/gateway/src/main.ts',
    { ...defined, HOST: '127.0.0.1', PORT: String(port) },
    '',
    async (child) => {
      child.stdout!.pipe(process.stdout);
      for (;;) {
        for (const candidate of ['https', 'http'] as const) {
          if (await answersLive(candidate, port)) {
            scheme = candidate;
            return;
          }
        }
        if (child.exitCode !== null) return; // `exited` reports it
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  );
  return { ...service, url: `${scheme}://127.0.0.1:${port}` };
}
