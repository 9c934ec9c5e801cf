import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DevPlatform, REPO } from './dev-platform.process';

describe('the dev platform (npm start) as a newcomer sees it', () => {
  let stateDir: string;
  let platform: DevPlatform;
  let password: string;
  const socketDirsBefore = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('mazevault-pg-')));

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'mv-dev-platform-'));
    // The gateway has its own suite (dev-gateway.e2e-spec.ts). Without it the platform is ready a few
    // seconds sooner, which the audit:verify case below depends on: the Primary's and the OCSP
    // responder's pools close a connection idle for 10 s (pg's default), and the embedded database then
    // admits a third client (the case fails after 12 s of idleness, gateway or not).
    platform = new DevPlatform(stateDir, {}, ['--no-gateway']);
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
    platform = new DevPlatform(stateDir, { ADMIN_EMAIL: 'someone-else@example.com' }, ['--no-gateway']);
    await platform.start();
    const admin = platform.banner('Admin');
    expect(admin).toContain('admin@mazevault.local');
    expect(admin).toContain('there is no user someone-else@example.com');
    expect(admin).not.toContain('exists;');
    expect(platform.lines.join('\n')).toContain('"email":"admin@mazevault.local"');
  }, 120_000);
});
