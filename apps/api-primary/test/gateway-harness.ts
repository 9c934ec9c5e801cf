import { createGatewayDataSource } from '@mazevault/persistence';
import { createCsr, createRootCa, defineProfile, issueFromCsr, signerFromPkcs8 } from '@mazevault/pki';
import { freePort } from '@mazevault/platform';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { type Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';

/**
 * What the gateway end-to-end suites share: JSON calls to the Primary's mTLS listener, a key and CSR,
 * polling for a condition, the gateway process (apps/gateway/src/main.ts as a child) and its database.
 */

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON fields they assert on
  body: any;
  /** The client side's port: the same one twice means the same (keep-alive) connection. */
  localPort?: number;
}

export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

/**
 * A JSON POST to the gateway listener; a TLS-level refusal resolves as status 0. Each call on its own
 * connection, unless an `agent` (keep-alive) is given.
 */
export function listenerCall(
  port: number,
  path: string,
  body: unknown,
  tls: ClientTls,
  agent?: Agent,
): Promise<Answer> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ...tls,
        ca: [tls.ca],
        agent: agent ?? false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        const localPort = res.socket.localPort;
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, localPort }),
        );
      },
    );
    req.on('error', () => resolve({ status: 0, body: null }));
    req.end(payload);
  });
}

export async function newKeyAndCsr(
  subject: Record<string, string> = {},
): Promise<{ keyPem: string; csrPem: string }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const csr = await createCsr({ signer: await signerFromPkcs8(new Uint8Array(pkcs8)), subject });
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), csrPem: csr.pem };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  attempts = 150,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface GatewayProcess {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/gateway/src/main.ts'], {
    cwd: join(__dirname, '..', '..', '..'),
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      MAZEVAULT_MODE: 'gateway',
      GATEWAY_HEARTBEAT_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  await until(`the gateway to listen:\n${output}`, async () => {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${output}`);
    return (
      (await fetch(`${base}/api/v1/health/live`).then(
        (r) => r.ok,
        () => false,
      )) || undefined
    );
  });
  return {
    child,
    base,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The gateway process for a start that must fail: its exit code and all it wrote (after the pipes close). */
export function runGatewayToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  let output = '';
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/gateway/src/main.ts'], {
    cwd: join(__dirname, '..', '..', '..'),
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      MAZEVAULT_MODE: 'gateway',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

/** A fresh database for one gateway, migrated like `npm run migration:run -- gateway`. */
export async function createGatewayDatabase(name: string): Promise<TestDatabase> {
  const db = await createTestDatabase(name);
  const ds = await createGatewayDataSource({ url: db.url }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return db;
}

/** Registers a key of the test's own with a bootstrap package's token: the gateway's mTLS material. */
export async function registerWithToken(
  port: number,
  pkg: { token: string; platformCaCertificatePem: string },
): Promise<{ id: string; tls: Required<ClientTls>; answer: Answer }> {
  const { keyPem, csrPem } = await newKeyAndCsr();
  const answer = await listenerCall(
    port,
    '/api/v1/gateways/register',
    { token: pkg.token, csr: csrPem },
    { ca: pkg.platformCaCertificatePem },
  );
  return {
    id: answer.body?.gatewayId,
    tls: { ca: pkg.platformCaCertificatePem, cert: answer.body?.certificatePem, key: keyPem },
    answer,
  };
}

/** A client certificate naming the gateway exactly as the platform CA would, from another CA. */
export async function foreignClientCertificate(gatewayId: string): Promise<{ cert: string; key: string }> {
  const other = await createRootCa({
    keyType: 'ecdsa-p256',
    subject: { commonName: 'Not the platform CA' },
    ttlSeconds: 86_400,
    clock: { now: () => new Date() },
  });
  const { keyPem, csrPem } = await newKeyAndCsr();
  const forged = await issueFromCsr({
    ca: other.ca,
    clock: { now: () => new Date() },
    csr: csrPem,
    profile: defineProfile({
      name: 'forged',
      maxTtlSeconds: 3600,
      keyUsages: ['digitalSignature'],
      extendedKeyUsages: ['clientAuth'],
      allowedSanTypes: ['uri'],
      allowedUriSchemes: ['urn'],
      subjectTemplate: { fixed: {}, commonName: 'omit' },
    }),
    altNames: { uri: [`urn:mazevault:gateway:${gatewayId}`] },
  });
  return { cert: forged.certificate.pem, key: keyPem };
}
