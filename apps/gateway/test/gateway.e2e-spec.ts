import { EnvMasterKeyProvider, generateE2eeKeys, MasterKeyRing } from '@mazevault/crypto';
import { createGatewayDataSource } from '@mazevault/persistence';
import { freePort } from '@mazevault/platform';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { GatewayIdentityStore } from '../src/identity/gateway-identity.store';
import { selfSignedCertificate } from '../src/tls/server-tls';

const ROOT = join(__dirname, '..', '..', '..');
const BASE = {
  PRIMARY_BACKEND_URL: 'https://127.0.0.1:8443',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
  MASTER_KEY: randomBytes(32).toString('base64'),
};

function startGateway(
  env: Record<string, string>,
  args: string[] = [],
): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  let output = '';
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/gateway/src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { child, output: () => output, exit };
}

async function migratedDatabase(name: string): Promise<TestDatabase> {
  const db = await createTestDatabase(name);
  const ds = await createGatewayDataSource({ url: db.url }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return db;
}

/** A GET that does not trust the certificate but returns its SHA-256, to compare with the logged one. */
function getPinned(url: string): Promise<{ status: number; text: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { rejectUnauthorized: false, agent: false }, (res) => {
      const raw = (res.socket as TLSSocket).getPeerCertificate().raw;
      const fingerprint = createHash('sha256')
        .update(raw)
        .digest('hex')
        .toUpperCase()
        .match(/../g)!
        .join(':');
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, fingerprint }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway --help', () => {
  it('prints every variable it reads (required, defaults) and exits 0 without any configuration', async () => {
    const gateway = startGateway({}, ['--help']);
    expect(await gateway.exit).toBe(0);
    expect(gateway.output()).toMatch(/^ {2}PRIMARY_BACKEND_URL +required$/m);
    expect(gateway.output()).toMatch(/^ {2}MASTER_KEY +required, secret$/m);
    expect(gateway.output()).toMatch(/^ {2}GATEWAY_HEARTBEAT_INTERVAL_SECONDS +default 60$/m);
    expect(gateway.output()).not.toContain('Invalid configuration');
  });
});

describe('gateway process without an identity or a token', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await migratedDatabase('gateway-no-token');
  });

  afterAll(() => db?.drop());

  it('exits with EX_CONFIG and one clear line', async () => {
    const gateway = startGateway({ ...BASE, DATABASE_URL: db.url, PORT: '0' });
    expect(await gateway.exit).toBe(78);
    expect(gateway.output()).toContain('No stored gateway identity and no GATEWAY_BOOTSTRAP_TOKEN');
  });
});

describe('gateway process with a stored identity and an unreachable Primary', () => {
  let db: TestDatabase;
  let gateway: ReturnType<typeof startGateway> | undefined;
  let base: string;
  const gatewayId = randomUUID();
  const masterKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await migratedDatabase('gateway-https');
    const ds = await createGatewayDataSource({ url: db.url }).initialize();
    const identity = await selfSignedCertificate(['gateway.test'], []);
    const pkcs8 = createPrivateKey(identity.key).export({ type: 'pkcs8', format: 'der' });
    const e2ee = await generateE2eeKeys();
    const primaryE2ee = await generateE2eeKeys();
    await new GatewayIdentityStore(
      ds,
      new MasterKeyRing(new EnvMasterKeyProvider({ value: masterKey, variableName: 'MASTER_KEY' })),
    ).save(
      {
        gatewayId,
        certificatePem: identity.cert,
        platformCaPem: identity.cert,
        notAfter: new Date(new X509Certificate(identity.cert).validTo),
        e2ee,
        primaryE2ee: { signing: primaryE2ee.signing.publicJwk, encryption: primaryE2ee.encryption.publicJwk },
        bootstrapTokenHash: null,
      },
      new Uint8Array(pkcs8),
    );
    await ds.destroy();
    const port = await freePort();
    const closed = await freePort(); // nothing listens there: the Primary is unreachable
    base = `https://127.0.0.1:${port}`;
    gateway = startGateway({
      ...BASE,
      PRIMARY_BACKEND_URL: `https://127.0.0.1:${closed}`,
      DATABASE_URL: db.url,
      MASTER_KEY: masterKey,
      HOST: '127.0.0.1',
      PORT: String(port),
      GATEWAY_HEARTBEAT_INTERVAL_SECONDS: '1',
      PRIMARY_FAILURE_THRESHOLD: '2',
      PRIMARY_CIRCUIT_RESET_SECONDS: '3600',
    });
  });

  afterAll(async () => {
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGTERM');
    await gateway?.exit;
    await db?.drop();
  });

  const poll = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}:\n${gateway?.output()}`);
  };

  it('serves HTTPS with a self-signed P-256 certificate whose logged fingerprint is the one presented', async () => {
    const logged = await poll(
      'the fingerprint log line',
      async () => /SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(gateway!.output())?.[1],
    );
    const root = await poll('the HTTPS listener', () => getPinned(`${base}/`));
    expect(root).toMatchObject({ status: 200, fingerprint: logged });
    expect(JSON.parse(root.text)).toEqual({ mode: 'gateway' });
    expect(gateway!.output()).toContain(`gateway listening on ${base}`);
  });

  it('answers health 503 once the breaker on the unreachable Primary is open, and exposes its metrics', async () => {
    const health = await poll('the breaker to open', async () => {
      const answer = await getPinned(`${base}/api/v1/health`);
      return answer.status === 503 ? answer : undefined;
    });
    expect(JSON.parse(health.text)).toMatchObject({
      ready: false,
      checks: {
        database: { status: 'up' },
        primary: { status: 'down', circuit: 'open', consecutiveFailures: 2, polling: false },
      },
    });
    const metrics = (await getPinned(`${base}/metrics`)).text;
    const value = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('mazevault_gateway_circuit_breaker_state')).toBe(2);
    expect(value('mazevault_gateway_heartbeat_consecutive_failures')).toBeGreaterThanOrEqual(2);
    expect(value('mazevault_gateway_certificate_expiry_days')).toBeGreaterThan(89);
    expect(value('mazevault_gateway_write_queue_size')).toBe(0);
    expect(value('mazevault_gateway_keyvault_access_denied_total')).toBe(0);
    expect(metrics).toContain('# TYPE mazevault_gateway_tasks_total counter');
    // Log lines reach stdout within 250 ms (the buffered destination's flush), not at once.
    await poll('the breaker log line', async () =>
      gateway!.output().includes('Primary circuit breaker open') ? true : undefined,
    );
  });
});
