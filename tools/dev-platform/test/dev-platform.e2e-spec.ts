import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { testRedis } from '@mazevault/testing';

const REPO = join(__dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start` as a newcomer runs it (its own LOG_LEVEL and ACCESS_LOG defaults), on a temporary state directory. */
class DevPlatform {
  readonly lines: string[] = [];
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private child!: ChildProcess;
  base = '';

  constructor(
    private readonly stateDir: string,
    private readonly extraEnv: Record<string, string> = {},
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
    ])
      delete env[name];
    this.child = spawn(
      process.execPath,
      ['-r', './tools/register.cjs', 'tools/dev-platform/src/dev-platform.ts'],
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

describe('the dev platform (npm start) as a newcomer sees it', () => {
  let stateDir: string;
  let platform: DevPlatform;
  let password: string;
  const socketDirsBefore = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('mazevault-pg-')));

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'mv-dev-platform-'));
    platform = new DevPlatform(stateDir);
    await platform.start();
    password = /Password\s+(\S+)/.exec(platform.banner('Password'))![1];
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function token(): Promise<string> {
    const response = await fetch(`${platform.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@mazevault.local', password }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  it('prints an access line for every request, a 200 and a 401 alike (ACCESS_LOG=all is not hidden by its LOG_LEVEL)', async () => {
    const unauthenticated = await fetch(`${platform.base}/api/v1/users`);
    expect(unauthenticated.status).toBe(401);
    const authenticated = await fetch(`${platform.base}/api/v1/users`, {
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(authenticated.status).toBe(200);
    const accessLine = (status: number) => (line: string) =>
      line.includes('"request completed"') &&
      line.includes('"/api/v1/users"') &&
      line.includes(`"statusCode":${status}`);
    await platform.waitFor(accessLine(401));
    await platform.waitFor(accessLine(200));
  });

  it('prints the created admin and a way to verify the audit chain that works against the embedded database', async () => {
    expect(platform.banner('Admin')).toContain('admin@mazevault.local');
    const audit = platform.banner('Audit');
    expect(audit).toContain(`curl -s ${platform.base}/api/v1/audit/verify -H "authorization: Bearer $TOKEN"`);
    const verify = await fetch(`${platform.base}/api/v1/audit/verify`, {
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(verify.status).toBe(200);
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('npm run audit:verify against the embedded database says why it cannot connect and what to do instead', async () => {
    const socketDir = readdirSync(tmpdir())
      .filter((name) => name.startsWith('mazevault-pg-') && !socketDirsBefore.has(name))
      .map((name) => join(tmpdir(), name))
      .find((dir) => existsSync(join(dir, '.s.PGSQL.5432')));
    expect(socketDir).toBeDefined();
    const databaseUrl = `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir!)}`;
    const masterKey = readFileSync(join(stateDir, 'master.key'), 'utf8').trim();
    const result = await promisify(execFile)(
      process.execPath,
      ['-r', './tools/register.cjs', 'apps/api-primary/src/cli/audit-verify.cli.ts'],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, MASTER_KEY: masterKey },
        timeout: 60_000,
      },
    ).then(
      () => ({ code: 0, out: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        out: error.stdout + error.stderr,
      }),
    );
    expect(result.code).toBe(2);
    expect(result.out).toContain("admits only the platform's own two");
    expect(result.out).toContain('/api/v1/audit/verify');
    // The platform was not disturbed by the attempt.
    expect(
      (
        await fetch(`${platform.base}/api/v1/users`, {
          headers: { authorization: `Bearer ${await token()}` },
        })
      ).status,
    ).toBe(200);
  }, 60_000);

  it('on a restart with ADMIN_EMAIL naming no user, names the admin that exists instead of claiming it "already exists"', async () => {
    await platform.stop();
    platform = new DevPlatform(stateDir, { ADMIN_EMAIL: 'someone-else@example.com' });
    await platform.start();
    const admin = platform.banner('Admin');
    expect(admin).toContain('admin@mazevault.local');
    expect(admin).toContain('there is no user someone-else@example.com');
    expect(admin).not.toContain('exists;');
    expect(platform.lines.join('\n')).toContain('"email":"admin@mazevault.local"');
  }, 120_000);
});
