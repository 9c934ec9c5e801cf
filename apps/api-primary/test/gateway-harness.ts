import {
  GATEWAY_E2EE_TTL_SECONDS,
  type GatewayE2eeKeys,
  gatewayE2eeAudience,
  gatewayE2eeIssuer,
  PRIMARY_E2EE_ISSUER,
} from '@mazevault/contracts';
import {
  type E2eeKeys,
  generateE2eeKeys,
  openMessage,
  ReplayGuard,
  sealMessage,
  type SealOptions,
} from '@mazevault/crypto';
import { createGatewayDataSource } from '@mazevault/persistence';
import { createCsr, createRootCa, defineProfile, issueFromCsr, signerFromPkcs8 } from '@mazevault/pki';
import { freePort } from '@mazevault/platform';
import { createTestDatabase, createTestTlsMaterial, type TestDatabase } from '@mazevault/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the gateway end-to-end suites share: JSON calls to the Primary's mTLS listener, a key and CSR,
 * a gateway enrolled by the test itself and sealed (E2EE) calls as it, polling for a condition, the
 * gateway process (apps/gateway/src/main.ts as a child) and its database.
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

/**
 * Enrolls a named gateway from the test itself (no gateway process): a bootstrap package from the
 * admin API (`primaryBase`, an admin bearer token), then registration as the gateway would.
 */
export async function enrollGateway(
  primaryBase: string,
  adminToken: string,
  port: number,
  request: { name: string; environment?: 'NPR' | 'PRO'; role?: 'primary' | 'dr-standby' },
): Promise<TestGateway & { name: string }> {
  const bootstrap = await fetch(`${primaryBase}/api/v1/gateways/bootstrap`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(request),
  });
  if (bootstrap.status !== 201)
    throw new Error(`bootstrap failed: ${bootstrap.status} ${await bootstrap.text()}`);
  const pkg = (await bootstrap.json()) as { token: string; platformCaCertificatePem: string };
  return { ...(await enrollTestGateway(port, pkg)), name: request.name };
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
  /** https://127.0.0.1:<port>: the gateway's own HTTPS listener. */
  base: string;
  /** The CA that issued the gateway's HTTPS certificate (TLS_CERT_FILE), for clients that verify it. */
  caPem: string;
  /** A GET on the gateway's listener, verifying its certificate; body parsed when it is JSON. */
  get(path: string): Promise<Answer & { text: string }>;
  output(): string;
  stop(): Promise<void>;
}

/** A GET over HTTPS trusting `ca` only; a TLS or connection failure resolves as status 0. */
export function httpsGet(url: string, ca: string): Promise<Answer & { text: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, { method: 'GET', ca: [ca], agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on('error', () => resolve({ status: 0, body: null, text: '' }));
    req.end();
  });
}

/**
 * apps/gateway/src/main.ts as a child process on loopback, serving HTTPS with a certificate from a
 * throw-away test CA (TLS_CERT_FILE/TLS_KEY_FILE, as Helm mounts them), ready once
 * `/api/v1/health/live` answers over verified TLS.
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const tls = createTestTlsMaterial();
  const dir = mkdtempSync(join(tmpdir(), 'mv-gw-tls-'));
  writeFileSync(join(dir, 'tls.crt'), tls.certPem);
  writeFileSync(join(dir, 'tls.key'), tls.keyPem, { mode: 0o600 });
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
      TLS_CERT_FILE: join(dir, 'tls.crt'),
      TLS_KEY_FILE: join(dir, 'tls.key'),
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    }),
  );
  const base = `https://127.0.0.1:${port}`;
  const get = (path: string) => httpsGet(`${base}${path}`, tls.caPem);
  await until(`the gateway to listen:\n${output}`, async () => {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}):\n${output}`);
    return (await get('/api/v1/health/live')).status === 200 || undefined;
  });
  return {
    child,
    base,
    caPem: tls.caPem,
    get,
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

/** Fresh E2EE public keys for a registration body (the private halves are thrown away). */
export async function newE2eePublicKeys(): Promise<GatewayE2eeKeys> {
  const keys = await generateE2eeKeys();
  return { signing: keys.signing.publicJwk, encryption: keys.encryption.publicJwk };
}

/** A gateway enrolled by the test itself: its mTLS material, its E2EE keys and the Primary's. */
export interface TestGateway {
  id: string;
  tls: Required<ClientTls>;
  e2ee: E2eeKeys;
  primaryE2ee: GatewayE2eeKeys;
  /** Responses it already opened (a replayed answer is refused like on the real gateway). */
  replayGuard: ReplayGuard;
}

/**
 * Registers with a bootstrap package (the body of `POST /api/v1/gateways/bootstrap`) as the gateway
 * process would: a new TLS key and CSR, new E2EE keys.
 */
export async function enrollTestGateway(
  port: number,
  pkg: { token: string; platformCaCertificatePem: string },
): Promise<TestGateway> {
  const { answer, ...gateway } = await registerWithToken(port, pkg);
  if (answer.status !== 201)
    throw new Error(`registration refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  return gateway;
}

/** A heartbeat as the gateway process sends it (healthy, breaker closed), with `overrides`. */
export function heartbeatBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sentAt: new Date().toISOString(),
    version: '0.1.0',
    environment: 'NPR',
    role: 'primary',
    status: 'healthy',
    primaryCircuit: 'closed',
    consecutiveFailures: 0,
    certificateNotAfter: new Date().toISOString(),
    writeQueueDepth: 0,
    ...overrides,
  };
}

/** `body` sealed as `gw` would send it to `path`; `overrides` forge the parts a test refuses. */
export function sealAs(
  gw: TestGateway,
  path: string,
  body: unknown,
  overrides: Partial<SealOptions> = {},
): Promise<{ jwe: string; jti: string }> {
  return sealMessage(body, {
    senderId: gatewayE2eeIssuer(gw.id),
    signingKey: gw.e2ee.signing.privateJwk,
    recipientEncryptionJwk: gw.primaryE2ee.encryption,
    audience: gatewayE2eeAudience(path, 'request', gw.id),
    ttlSeconds: GATEWAY_E2EE_TTL_SECONDS,
    ...overrides,
  });
}

/**
 * A sealed call as `gw` (what PrimaryClient.post does): the body sealed to the Primary, a 2xx answer
 * opened and checked (signed by the Primary, for this gateway, route and request) — it throws if
 * not; an error answer (problem+json, plain) is returned as it is.
 */
export async function gatewayCall(
  port: number,
  gw: TestGateway,
  path: string,
  body: unknown,
  overrides: Partial<SealOptions> = {},
  transport: { tls?: ClientTls; agent?: Agent } = {},
): Promise<Answer> {
  const sealed = await sealAs(gw, path, body, overrides);
  const answer = await listenerCall(
    port,
    path,
    { jwe: sealed.jwe },
    transport.tls ?? gw.tls,
    transport.agent,
  );
  if (answer.status < 200 || answer.status >= 300) return answer;
  const message = await openMessage(answer.body.jwe, {
    decryptionKey: gw.e2ee.encryption.privateJwk,
    senderSigningJwk: gw.primaryE2ee.signing,
    expectedIssuer: PRIMARY_E2EE_ISSUER,
    expectedAudience: gatewayE2eeAudience(path, 'response', gw.id),
    expectedInReplyTo: sealed.jti,
    replayGuard: gw.replayGuard,
  });
  return { ...answer, body: message };
}

/** Registers a key of the test's own with a bootstrap package's token: the gateway's mTLS material. */
export async function registerWithToken(
  port: number,
  pkg: { token: string; platformCaCertificatePem: string },
): Promise<TestGateway & { answer: Answer }> {
  const { keyPem, csrPem } = await newKeyAndCsr();
  const e2ee = await generateE2eeKeys();
  const answer = await listenerCall(
    port,
    '/api/v1/gateways/register',
    {
      token: pkg.token,
      csr: csrPem,
      e2ee: { signing: e2ee.signing.publicJwk, encryption: e2ee.encryption.publicJwk },
    },
    { ca: pkg.platformCaCertificatePem },
  );
  return {
    id: answer.body?.gatewayId,
    tls: { ca: pkg.platformCaCertificatePem, cert: answer.body?.certificatePem, key: keyPem },
    e2ee,
    primaryE2ee: answer.body?.primaryE2ee,
    replayGuard: new ReplayGuard(),
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
