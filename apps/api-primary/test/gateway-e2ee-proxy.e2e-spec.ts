import { gatewayE2eeAudience } from '@mazevault/contracts';
import { EnvMasterKeyProvider, MasterKeyRing, openPrivateKey } from '@mazevault/crypto';
import { createGatewayDataSource, GatewayIdentityEntity } from '@mazevault/persistence';
import { defineProfile, issueWithGeneratedKey } from '@mazevault/pki';
import type { TestDatabase } from '@mazevault/testing';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { GatewayListener } from '../src/gateways/gateway-listener';
import { PlatformCaService } from '../src/gateways/platform-ca.service';
import {
  createGatewayDatabase,
  enrollTestGateway,
  gatewayCall,
  type GatewayProcess,
  listenerCall,
  sealAs,
  startGatewayProcess,
  until,
  heartbeatBody,
} from './gateway-harness';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * End-to-end encryption on top of mTLS, shown against the strongest network attacker: a proxy
 * between the gateway process and the Primary that holds EVERY TLS key — a server certificate from
 * the platform CA itself (the gateway's pinning accepts it) and the gateway's own client certificate
 * and key, read from the gateway's database with its master key — so TLS protects nothing. It relays
 * and records the plaintext HTTP, and can alter or replay it. It sees only `{"jwe": …}`, and what it
 * alters or replays is refused.
 */

interface Exchange {
  path: string;
  request: string;
  status: number;
  contentType: string;
  response: string;
}

interface Upstream {
  port: number;
  ca: string;
  /** The gateway's client certificate and key, once it has enrolled (registration needs none). */
  clientTls: () => Promise<{ cert: string; key: string }>;
}

/** One HTTPS request to the Primary's listener, as the proxy re-originates it. */
function forward(
  upstream: Upstream,
  path: string,
  body: string,
  withClientCertificate: boolean,
): Promise<Omit<Exchange, 'path' | 'request'>> {
  return new Promise((resolve, reject) => {
    const send = (tls: { cert?: string; key?: string }) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: upstream.port,
          path,
          method: 'POST',
          ca: [upstream.ca],
          ...tls,
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              response: text,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    };
    if (withClientCertificate) upstream.clientTls().then(send, reject);
    else send({});
  });
}

class TlsBreakingProxy {
  readonly exchanges: Exchange[] = [];
  /** Rewrites a request body before relaying it (the attacker altering traffic). */
  alter: ((path: string, body: string) => string) | null = null;
  private server!: Server;

  constructor(
    private readonly upstream: Upstream,
    private readonly serverTls: { cert: string; key: string },
  ) {}

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    this.server = createServer(this.serverTls, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '/';
        const relayed = this.alter ? this.alter(path, body) : body;
        this.send(path, relayed).then(
          (answer) => {
            res.writeHead(answer.status, { 'content-type': answer.contentType });
            res.end(answer.response);
          },
          () => {
            res.writeHead(502);
            res.end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** Sends (and records) a request to the Primary as the gateway, as any attacker holding its key could. */
  async send(path: string, body: string): Promise<Exchange> {
    const answer = await forward(this.upstream, path, body, path !== '/api/v1/gateways/register');
    const exchange = { path, request: body, ...answer };
    this.exchanges.push(exchange);
    return exchange;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Flips one character in the middle of the JWE's ciphertext. */
function flipInsideJwe(body: string): string {
  const { jwe } = JSON.parse(body) as { jwe: string };
  const parts = jwe.split('.');
  const c = parts[3]!;
  const i = Math.floor(c.length / 2);
  parts[3] = c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1);
  return JSON.stringify({ jwe: parts.join('.') });
}

describe('gateway end-to-end encryption: a proxy holding every TLS key sees only ciphertext', () => {
  const HEARTBEAT = '/api/v1/gateway/heartbeat';
  /** Inner values that must never show on the wire. */
  const VERSION = '9.8.7-e2eeprobe';
  let primary: PrimaryTestApp;
  let listenerPort: number;
  let admin: string;
  let gatewayDb: TestDatabase;
  let gateway: GatewayProcess | undefined;
  let proxy: TlsBreakingProxy;
  let gatewayId: string;
  const masterKey = randomBytes(32).toString('base64');

  const bootstrap = async (name: string) =>
    (await call(primary.baseUrl, 'POST', '/api/v1/gateways/bootstrap', { token: admin, body: { name } }))
      .body;
  const gatewayRow = async (id: string) =>
    (await call(primary.baseUrl, 'GET', '/api/v1/gateways', { token: admin })).body.gateways.find(
      (g: { id: string }) => g.id === id,
    ) as { lastSeenAt: string | null; lastHeartbeat: Record<string, unknown> | null };
  const heartbeatsRelayed = () => proxy.exchanges.filter((e) => e.path === HEARTBEAT);
  const denials = async (code: string): Promise<number> =>
    Number(
      (
        await primary.dataSource.query(
          `SELECT count(*) AS n FROM audit_events WHERE action = 'access.deny' AND details->>'code' = $1`,
          [code],
        )
      )[0].n,
    );

  beforeAll(async () => {
    primary = await startPrimary('gateway-e2ee-proxy', {
      GATEWAY_LISTEN_PORT: '0',
      GATEWAY_LISTEN_HOST: '127.0.0.1',
    });
    listenerPort = primary.app.get(GatewayListener).port!;
    admin = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    gatewayDb = await createGatewayDatabase('gateway-e2ee-proxy-gw');

    // The proxy's server certificate comes from the platform CA itself: pinning cannot tell it apart.
    const ca = await primary.app.get(PlatformCaService).get();
    const proxyCert = await issueWithGeneratedKey({
      ca: ca.authority,
      clock: { now: () => new Date() },
      profile: defineProfile({
        name: 'test-tls-breaking-proxy',
        maxTtlSeconds: 3600,
        allowedSanTypes: ['ip'],
        allowedIpRanges: ['127.0.0.1/32'],
        subjectTemplate: { fixed: {}, commonName: 'omit' },
      }),
      keyType: 'ecdsa-p256',
      altNames: { ip: ['127.0.0.1'] },
    });
    const proxyKey = createPrivateKey({
      key: Buffer.from(proxyCert.privateKeyPkcs8!),
      format: 'der',
      type: 'pkcs8',
    })
      .export({ format: 'pem', type: 'pkcs8' })
      .toString();

    // The gateway's TLS client key, straight from its database with the master key (TLS only: the
    // proxy does not touch the E2EE keys beside it — that is the point).
    const masters = new MasterKeyRing(
      new EnvMasterKeyProvider({ value: masterKey, variableName: 'MASTER_KEY' }),
    );
    let clientTls: { cert: string; key: string } | undefined;
    const readGatewayTls = async () => {
      if (clientTls) return clientTls;
      const ds = await createGatewayDataSource({ url: gatewayDb.url }).initialize();
      try {
        const row = await ds.getRepository(GatewayIdentityEntity).findOneByOrFail({ slot: 'current' });
        const pkcs8 = await openPrivateKey(
          row.sealedPrivateKey,
          { kind: 'gateway-identity', ownerId: row.gatewayId },
          masters,
        );
        clientTls = {
          cert: row.certificatePem,
          key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
            .export({ format: 'pem', type: 'pkcs8' })
            .toString(),
        };
        return clientTls;
      } finally {
        await ds.destroy();
      }
    };
    proxy = new TlsBreakingProxy(
      { port: listenerPort, ca: ca.caPem, clientTls: readGatewayTls },
      { cert: proxyCert.certificate.pem + ca.caPem, key: proxyKey },
    );
    await proxy.start();
    // The gateway enrolls and runs behind the proxy for every case (each also runs alone).
    const pkg = await bootstrap('gw-behind-proxy');
    gatewayId = pkg.gatewayId;
    gateway = await startGatewayProcess({
      PRIMARY_BACKEND_URL: `https://127.0.0.1:${proxy.port}`,
      DATABASE_URL: gatewayDb.url,
      MASTER_KEY: masterKey,
      GATEWAY_BOOTSTRAP_TOKEN: pkg.token,
      MAZEVAULT_VERSION: VERSION,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await proxy?.close();
    await primary?.close();
    await gatewayDb?.drop();
  });

  it('(a) relays heartbeats it can read nothing of: only {"jwe": …} both ways', async () => {
    await until('two heartbeats through the proxy', async () =>
      heartbeatsRelayed().filter((e) => e.status === 200).length >= 2 ? true : undefined,
    );
    // They reached the Primary whole: the values the proxy never saw are on the gateway's record.
    expect((await gatewayRow(gatewayId)).lastHeartbeat).toMatchObject({
      version: VERSION,
      writeQueueDepth: 0,
    });

    for (const exchange of heartbeatsRelayed()) {
      expect(Object.keys(JSON.parse(exchange.request))).toEqual(['jwe']);
      expect(Object.keys(JSON.parse(exchange.response))).toEqual(['jwe']);
    }
    const wire = heartbeatsRelayed()
      .map((e) => e.request + e.response)
      .join('\n');
    for (const inner of [
      VERSION,
      'writeQueueDepth',
      'primaryCircuit',
      'consecutiveFailures',
      'serverTime',
      gatewayId,
    ])
      expect(wire).not.toContain(inner);
    // Registration is the one plain exchange (keys are swapped there): public keys only.
    const register = proxy.exchanges.find((e) => e.path === '/api/v1/gateways/register')!;
    expect(JSON.parse(register.response).primaryE2ee.encryption).not.toHaveProperty('d');
    expect(register.request).not.toContain('"d"');
  });

  it("carries a sync-secrets task's secret values through it only as ciphertext", async () => {
    const api = (method: string, path: string, body?: unknown) =>
      call(primary.baseUrl, method, path, { token: admin, ...(body !== undefined ? { body } : {}) });
    const SECRET_VALUE = `proxy-must-not-see-${randomBytes(8).toString('hex')}`;
    const project = (
      await api('POST', '/api/v1/projects', {
        slug: 'behind-proxy',
        name: 'Behind proxy',
        environments: ['dev'],
      })
    ).body as { id: string; environments: { id: string }[] };
    await api('PATCH', '/api/v1/projects/behind-proxy/environments/dev', { gatewayEnvironment: 'NPR' });
    expect(
      (
        await api('PUT', '/api/v1/projects/behind-proxy/environments/dev/secrets/payments/api-key', {
          value: SECRET_VALUE,
        })
      ).status,
    ).toBe(200);
    const queued = await api('POST', '/api/v1/gateways/tasks', {
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: project.environments[0]!.id,
    });
    expect(queued.status).toBe(201);
    // The gateway has no Project Key Vault here: it receives the task (and the values), then reports
    // `keyvault_not_configured`. Both legs went through the proxy.
    const task = await until('the task result through the proxy', async () => {
      const view = (await api('GET', `/api/v1/gateways/tasks/${queued.body.id}`)).body;
      return view.errorCode === 'keyvault_not_configured' ? view : undefined;
    });
    expect(task.leasedByGatewayId ?? gatewayId).toBe(gatewayId);
    const delivered = proxy.exchanges.filter(
      (e) => e.path === '/api/v1/gateway/tasks/poll' && e.status === 200,
    );
    expect(delivered.length).toBeGreaterThan(0);
    expect(proxy.exchanges.some((e) => e.path === '/api/v1/gateway/tasks/result')).toBe(true);
    const wire = proxy.exchanges.map((e) => e.request + e.response).join('\n');
    for (const inner of [SECRET_VALUE, 'payments/api-key', project.id, queued.body.id, 'sync-secrets'])
      expect(wire).not.toContain(inner);
  });

  it('(b) refuses a body it alters with problem+json, and nothing changes', async () => {
    proxy.alter = (path, body) => (path === HEARTBEAT ? flipInsideJwe(body) : body);
    const from = heartbeatsRelayed().length;
    const tampered = () => heartbeatsRelayed().slice(from);
    try {
      // One altered heartbeat first: any honest one still in flight has landed by then.
      await until('an altered heartbeat', async () => (tampered().length >= 1 ? true : undefined));
      const before = await gatewayRow(gatewayId);
      await until('another altered heartbeat', async () => (tampered().length >= 2 ? true : undefined));
      expect(await gatewayRow(gatewayId)).toEqual(before);
    } finally {
      proxy.alter = null;
    }
    for (const exchange of tampered()) {
      expect(exchange.status).toBe(401);
      expect(exchange.contentType).toContain('application/problem+json');
      expect(JSON.parse(exchange.response)).toMatchObject({ status: 401, code: 'e2ee_invalid' });
    }
    expect(await denials('e2ee_invalid')).toBeGreaterThanOrEqual(2);
    await until('the gateway to log the refusal', async () =>
      gateway!.output().includes('e2ee_invalid') ? true : undefined,
    );
  });

  it('(c) refuses a request it replays verbatim (e2ee_replay)', async () => {
    const delivered = heartbeatsRelayed().find((e) => e.status === 200)!;
    const replayed = await proxy.send(HEARTBEAT, delivered.request);
    expect(replayed.status).toBe(401);
    expect(replayed.contentType).toContain('application/problem+json');
    expect(JSON.parse(replayed.response)).toMatchObject({ code: 'e2ee_replay' });
    expect(await denials('e2ee_replay')).toBeGreaterThanOrEqual(1);
  });

  it("refuses another gateway's signature, a message sealed for another route, and a plain body", async () => {
    const a = await enrollTestGateway(listenerPort, await bootstrap('gw-e2ee-a'));
    const b = await enrollTestGateway(listenerPort, await bootstrap('gw-e2ee-b'));
    const body = heartbeatBody();
    expect(await gatewayCall(listenerPort, b, HEARTBEAT, body)).toMatchObject({ status: 200 });
    const lastOfB = (await gatewayRow(b.id)).lastHeartbeat;

    // B's client certificate, A's E2EE signature (claiming to be B): refused.
    const signedByA = await gatewayCall(
      listenerPort,
      b,
      HEARTBEAT,
      { ...body, writeQueueDepth: 5 },
      {
        signingKey: a.e2ee.signing.privateJwk,
      },
    );
    expect(signedByA).toMatchObject({ status: 401, body: { code: 'e2ee_invalid' } });
    // B's own signature, but sealed for another route: refused here.
    const otherRoute = await gatewayCall(
      listenerPort,
      b,
      HEARTBEAT,
      { ...body, writeQueueDepth: 6 },
      {
        audience: gatewayE2eeAudience('/api/v1/gateway/tasks/result', 'request', b.id),
      },
    );
    expect(otherRoute).toMatchObject({ status: 401, body: { code: 'e2ee_invalid' } });
    // A sealed for A, sent over B's certificate: refused.
    const asA = await sealAs(a, HEARTBEAT, body);
    expect(await listenerCall(listenerPort, HEARTBEAT, { jwe: asA.jwe }, b.tls)).toMatchObject({
      status: 401,
      body: { code: 'e2ee_invalid' },
    });
    // The inner message in the clear: refused.
    expect(await listenerCall(listenerPort, HEARTBEAT, body, b.tls)).toMatchObject({
      status: 400,
      body: { code: 'e2ee_invalid' },
    });
    expect((await gatewayRow(b.id)).lastHeartbeat).toEqual(lastOfB);
  });
});
