import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * docker/gateway.Dockerfile without a Docker engine: what it copies exists and is in its build
 * context, its shared stages are docker/Dockerfile's, and its HEALTHCHECK script (run for real against
 * an HTTPS server with a self-signed certificate) says healthy only on a 200.
 */
const REPO = join(__dirname, '..', '..', '..');
const dockerfile = readFileSync(join(REPO, 'docker', 'gateway.Dockerfile'), 'utf8');

/** A stage's text, from its FROM line up to the next FROM (comments included). */
function stage(text: string, name: string): string {
  const start = text.search(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = text.slice(start + 1);
  const next = rest.search(/^# ---- |^FROM /m);
  return text.slice(start, next === -1 ? undefined : start + 1 + next).trim();
}

/** The .dockerignore verdict for `path` (later rules win; `!` re-includes), as BuildKit applies it. */
function inContext(path: string, rules: string[]): boolean {
  let included = true;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/\/$/, '');
    const regex = new RegExp(
      '^' +
        pattern
          .split('**')
          .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('.*') +
        '(/.*)?$',
    );
    if (regex.test(path)) included = negated;
  }
  return included;
}

describe('docker/gateway.Dockerfile', () => {
  it("shares docker/Dockerfile's deps and base stages verbatim", () => {
    const primary = readFileSync(join(REPO, 'docker', 'Dockerfile'), 'utf8');
    for (const name of ['deps', 'base']) expect(stage(dockerfile, name)).toBe(stage(primary, name));
  });

  it('copies only paths that exist and that its .dockerignore sends to the builder', () => {
    const rules = readFileSync(join(REPO, 'docker', 'gateway.Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(sources).toEqual(
      expect.arrayContaining([
        'apps/gateway/src',
        'docker/gateway-healthcheck.cjs',
        'libs',
        'tools/register.cjs',
      ]),
    );
    for (const source of sources) {
      expect({ source, exists: existsSync(join(REPO, source)) }).toEqual({ source, exists: true });
      expect({ source, inContext: inContext(source, rules) }).toEqual({ source, inContext: true });
    }
    // Never shipped: other apps, test-only code, tests.
    expect(inContext('apps/api-primary/src/main.ts', rules)).toBe(false);
    expect(inContext('libs/testing/src/index.ts', rules)).toBe(false);
    expect(inContext('apps/gateway/src/config/gateway.config.spec.ts', rules)).toBe(false);
    expect(inContext('apps/gateway/src/main.ts', rules)).toBe(true);
  });

  it('runs the gateway as uid 10001 with its HTTPS health check', () => {
    const gateway = stage(dockerfile, 'gateway');
    expect(gateway).toMatch(/^FROM base AS gateway$/m);
    expect(stage(dockerfile, 'base')).toMatch(/^USER 10001:10001$/m);
    expect(gateway).not.toMatch(/^USER /m);
    expect(gateway).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "docker\/gateway-healthcheck\.cjs"\]$/m);
    expect(gateway).toMatch(/^CMD \["apps\/gateway\/src\/main\.ts"\]$/m);
    expect(existsSync(join(REPO, 'apps', 'gateway', 'src', 'main.ts'))).toBe(true);
    expect(gateway).toMatch(/^EXPOSE 8443$/m);
  });
});

describe('docker/gateway-healthcheck.cjs', () => {
  let dir: string;
  let server: Server;
  let status = 200;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mv-healthcheck-'));
    // A self-signed certificate, like the gateway's own without TLS_CERT_FILE.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=gateway', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }); // prettier-ignore
    server = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (request, response) => {
        response.writeHead(request.url === '/api/v1/health' ? status : 404).end('{}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function healthcheck(target: number): Promise<number> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO, 'docker', 'gateway-healthcheck.cjs')],
        { env: { PATH: process.env.PATH, PORT: String(target) }, timeout: 10_000 },
        (error) => resolve(error ? ((error as { code?: number }).code ?? -1) : 0),
      );
    });
  }

  it('exits 0 on a 200 from /api/v1/health over HTTPS with a self-signed certificate', async () => {
    status = 200;
    expect(await healthcheck(port)).toBe(0);
  });

  it('exits 1 on a 503 and when nothing listens', async () => {
    status = 503;
    expect(await healthcheck(port)).toBe(1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await healthcheck(freePort)).toBe(1);
  });
});
