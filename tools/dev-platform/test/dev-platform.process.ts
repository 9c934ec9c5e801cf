import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { testRedis } from '@mazevault/testing';

/** `npm start` as a child process, for the dev platform's end-to-end suites. */
export const REPO = join(__dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start` as a newcomer runs it (its own LOG_LEVEL and ACCESS_LOG defaults), on a temporary state directory. */
export class DevPlatform {
  readonly lines: string[] = [];
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private child!: ChildProcess;
  base = '';

  constructor(
    private readonly stateDir: string,
    private readonly extraEnv: Record<string, string> = {},
    private readonly args: string[] = [],
  ) {}

  async start(): Promise<void> {
    const [port, ocspPort] = [await freePort(), await freePort()];
    this.base = `http://127.0.0.1:${port}`;
    const redis = testRedis('dev_platform');
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of [
      'DATABASE_URL',
      'LOG_LEVEL',
      'ACCESS_LOG',
      'ADMIN_EMAIL',
      'MASTER_KEY',
      'JWT_PRIVATE_KEY',
      'NODE_ENV',
      'GATEWAY_BOOTSTRAP_TOKEN',
      'GATEWAY_DATABASE_URL',
    ])
      delete env[name];
    this.child = spawn(
      process.execPath,
      ['-r', './tools/register.cjs', 'tools/dev-platform/src/dev-platform.ts', ...this.args],
      {
        cwd: REPO,
        env: {
          ...env,
          MAZEVAULT_DEV_DIR: this.stateDir,
          PORT: String(port),
          OCSP_PORT: String(ocspPort),
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: redis.keyPrefix,
          GATEWAY_LISTEN_PORT: '0',
          GATEWAY_PORT: '0',
          ...this.extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        this.waiters = this.waiters.filter((waiter) =>
          waiter.match(line) ? (waiter.resolve(line), false) : true,
        );
      });
    }
    // The banner ends with the login example; everything before it has been printed by then.
    await this.waitFor((line) => line.includes('Try:'), 90_000);
    await this.waitFor((line) => line.includes('"password"'), 5_000);
  }

  waitFor(match: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such line within ${timeoutMs} ms; output:\n${this.lines.join('\n')}`)),
        timeoutMs,
      );
      const exited = () => reject(new Error(`the dev platform exited; output:\n${this.lines.join('\n')}`));
      this.child.once('exit', exited);
      this.waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          this.child.removeListener('exit', exited);
          resolve(line);
        },
      });
    });
  }

  banner(label: string): string {
    return this.lines.find((line) => line.trimStart().startsWith(label)) ?? '';
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
