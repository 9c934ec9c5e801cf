import type { TestDatabase } from '@mazevault/testing';
import { randomBytes } from 'node:crypto';
import { GatewayListener } from '../src/gateways/gateway-listener';
import {
  type ClientTls,
  createGatewayDatabase,
  enrollTestGateway,
  gatewayCall,
  type GatewayProcess,
  listenerCall,
  newE2eePublicKeys,
  newKeyAndCsr,
  startGatewayProcess,
  type TestGateway,
  until,
  heartbeatBody,
  foreignClientCertificate,
} from './gateway-harness';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Gateways, part 1, end to end: the real Primary with its mTLS gateway listener on a free loopback
 * port, the real gateway (apps/gateway/src/main.ts) as a child process with its own database, real
 * TLS with client certificates. Time moves through the Primary's injected clock; conditions that
 * depend on the gateway's heartbeat are polled, never slept for.
 */

describe('gateways, part 1: enrollment and heartbeats over mTLS', () => {
  let now = new Date();
  const clock = { now: () => now };
  let primary: PrimaryTestApp;
  let port: number;
  let admin: string;
  let gatewayDb: TestDatabase;
  let gateway: GatewayProcess | undefined;
  const masterKey = randomBytes(32).toString('base64');

  const bootstrap = (body: Record<string, unknown>) =>
    call(primary.baseUrl, 'POST', '/api/v1/gateways/bootstrap', { token: admin, body });
  const listGateways = async () =>
    (await call(primary.baseUrl, 'GET', '/api/v1/gateways', { token: admin })).body.gateways as {
      id: string;
      name: string;
      status: string;
      lastSeenAt: string | null;
      lastHeartbeat: Record<string, unknown> | null;
    }[];
  /** A sealed heartbeat as `gw`, over `tls` (its own mTLS material unless a case swaps it). */
  const heartbeat = (gw: TestGateway, tls: ClientTls = gw.tls) =>
    gatewayCall(
      port,
      { ...gw, tls: tls as Required<ClientTls> },
      '/api/v1/gateway/heartbeat',
      heartbeatBody(),
    );

  /** Enrolls a gateway from the test itself (for the refusal cases): its mTLS and E2EE material. */
  const enroll = async (name: string) => enrollTestGateway(port, (await bootstrap({ name })).body);

  beforeAll(async () => {
    primary = await startPrimary(
      'gateway-e2e',
      {
        GATEWAY_LISTEN_PORT: '0',
        GATEWAY_LISTEN_HOST: '127.0.0.1',
        GATEWAY_BOOTSTRAP_TOKEN_TTL_SECONDS: '600',
      },
      { clock },
    );
    port = primary.app.get(GatewayListener).port!;
    admin = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    gatewayDb = await createGatewayDatabase('gateway-e2e-gw');
  });

  afterAll(async () => {
    await gateway?.stop();
    await primary?.close();
    await gatewayDb?.drop();
  });

  it("enrolls the gateway process with the seed's one-field bootstrap, heartbeats, and reuses its identity after a restart", async () => {
    const pkg = await bootstrap({ name: 'azure-gateway-gwc-01' });
    expect(pkg.status).toBe(201);
    expect(pkg.body).toMatchObject({
      name: 'azure-gateway-gwc-01',
      environment: 'NPR',
      role: 'primary',
      platformCaFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(pkg.body.token.endsWith(`.${pkg.body.platformCaFingerprint}`)).toBe(true);

    const env = {
      PRIMARY_BACKEND_URL: `https://127.0.0.1:${port}`,
      DATABASE_URL: gatewayDb.url,
      MASTER_KEY: masterKey,
    };
    gateway = await startGatewayProcess({ ...env, GATEWAY_BOOTSTRAP_TOKEN: pkg.body.token });
    const seen = await until('a heartbeat', async () =>
      (await listGateways()).find((g) => g.id === pkg.body.gatewayId && g.lastSeenAt !== null),
    );
    expect(seen).toMatchObject({
      status: 'active',
      lastHeartbeat: { environment: 'NPR', role: 'primary', primaryCircuit: 'closed', writeQueueDepth: 0 },
    });
    const lines = [
      'Starting MazeVault in gateway mode',
      'Registering gateway with primary...',
      'Setting up mTLS...',
      `Gateway registered successfully: ${pkg.body.gatewayId}`,
      'Heartbeat loop started (1s interval)',
    ];
    const started = gateway;
    await until(
      'the start-up log lines',
      async () => lines.every((line) => started.output().includes(line)) || undefined,
    );
    const positions = lines.map((line) => gateway!.output().indexOf(line));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(gateway.output()).not.toContain(pkg.body.token.split('.')[0]);
    expect(gateway.base).toMatch(/^https:/);
    expect((await gateway.get('/')).body).toEqual({ mode: 'gateway' });
    const health = await gateway.get('/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      checks: { database: { status: 'up' }, primary: { status: 'up', circuit: 'closed' } },
    });

    // Restart without a token: the stored identity (sealed key in the gateway's own database) is used.
    await gateway.stop();
    // The gateway's own send time: the Primary's clock is the test's and does not move by itself.
    const sentAt = async () =>
      (await listGateways()).find((g) => g.id === pkg.body.gatewayId)!.lastHeartbeat!.sentAt as string;
    const before = await sentAt();
    gateway = await startGatewayProcess(env);
    // Log lines may reach the pipe after the health route answers: wait for the line, then assert.
    const restarted = gateway;
    await until(
      'the stored-identity log line',
      async () =>
        restarted.output().includes(`Using stored gateway identity: ${pkg.body.gatewayId}`) || undefined,
    );
    expect(gateway.output()).not.toContain('Registering gateway with primary...');
    await until('a heartbeat after the restart', async () => ((await sentAt()) > before ? true : undefined));
    expect((await listGateways()).filter((g) => g.name === 'azure-gateway-gwc-01')).toHaveLength(1);
  });

  it('spends a token exactly once, even with two parallel enrollments', async () => {
    const pkg = (await bootstrap({ name: 'gw-race', environment: 'PRO', role: 'dr-standby' })).body;
    expect(pkg).toMatchObject({ environment: 'PRO', role: 'dr-standby' });
    const [a, b] = await Promise.all([newKeyAndCsr(), newKeyAndCsr()]);
    const e2ee = await newE2eePublicKeys();
    const tls = { ca: pkg.platformCaCertificatePem };
    const answers = await Promise.all(
      [a, b].map((k) =>
        listenerCall(port, '/api/v1/gateways/register', { token: pkg.token, csr: k.csrPem, e2ee }, tls),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 401]);
    expect(answers.find((r) => r.status === 401)!.body).toMatchObject({
      code: 'invalid_bootstrap_token',
      status: 401,
    });
    const again = await listenerCall(
      port,
      '/api/v1/gateways/register',
      { token: pkg.token, csr: a.csrPem, e2ee },
      tls,
    );
    expect(again).toMatchObject({ status: 401, body: { code: 'invalid_bootstrap_token' } });
  });

  it('refuses bad input without burning the token, and expired or unknown tokens with 401', async () => {
    const pkg = (await bootstrap({ name: 'gw-validation' })).body;
    const tls = { ca: pkg.platformCaCertificatePem };
    const e2ee = await newE2eePublicKeys();
    const malformed = await listenerCall(
      port,
      '/api/v1/gateways/register',
      {
        token: pkg.token,
        csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n',
        e2ee,
      },
      tls,
    );
    expect(malformed.status).toBe(400);
    const named = await newKeyAndCsr({ commonName: 'someone-else' });
    expect(
      (
        await listenerCall(
          port,
          '/api/v1/gateways/register',
          { token: pkg.token, csr: named.csrPem, e2ee },
          tls,
        )
      ).body,
    ).toMatchObject({ status: 400, code: 'csr_name_mismatch' });
    expect(
      (await listenerCall(port, '/api/v1/gateways/register', { token: pkg.token }, tls)).body,
    ).toMatchObject({ status: 400, code: 'validation_failed' });
    // An oversized body is refused before it is read (problem+json), and spends nothing either.
    const oversized = await listenerCall(
      port,
      '/api/v1/gateways/register',
      { token: pkg.token, csr: named.csrPem, e2ee, padding: 'x'.repeat(200_000) },
      tls,
    );
    expect(oversized).toMatchObject({ status: 413, body: { status: 413, code: 'payload_too_large' } });
    const good = await newKeyAndCsr();
    expect(
      (
        await listenerCall(
          port,
          '/api/v1/gateways/register',
          { token: pkg.token, csr: good.csrPem, e2ee },
          tls,
        )
      ).status,
    ).toBe(201);

    const wrong = `mvgb_${randomBytes(32).toString('base64url')}.${pkg.platformCaFingerprint}`;
    expect(
      (await listenerCall(port, '/api/v1/gateways/register', { token: wrong, csr: good.csrPem, e2ee }, tls))
        .body,
    ).toMatchObject({ status: 401, code: 'invalid_bootstrap_token' });

    const late = (await bootstrap({ name: 'gw-expired' })).body;
    now = new Date(now.getTime() + 601_000);
    try {
      expect(
        (
          await listenerCall(
            port,
            '/api/v1/gateways/register',
            { token: late.token, csr: good.csrPem, e2ee },
            tls,
          )
        ).body,
      ).toMatchObject({ status: 401, code: 'invalid_bootstrap_token' });
    } finally {
      now = new Date();
    }
  });

  it('answers gateway routes only to a client certificate of an active gateway, and only on the listener', async () => {
    const gw = await enroll('gw-mtls');
    const { id, tls } = gw;
    expect(await heartbeat(gw)).toMatchObject({ status: 200, body: { serverTime: expect.any(String) } });

    const none = await heartbeat(gw, { ca: tls.ca });
    expect(none).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });

    // Same URN, same key, but from another CA: refused (the TLS layer asks, the route refuses).
    const forged = await foreignClientCertificate(id);
    const refused = await heartbeat(gw, { ca: tls.ca, ...forged });
    expect(refused.status === 0 || refused.body?.code === 'client_certificate_invalid').toBe(true);

    // Route sets are disjoint: no gateway route on the admin port, no admin route on the listener.
    expect((await call(primary.baseUrl, 'POST', '/api/v1/gateway/heartbeat', { body: {} })).status).toBe(404);
    expect((await call(primary.baseUrl, 'POST', '/api/v1/gateways/register', { body: {} })).status).toBe(404);
    expect(await listenerCall(port, '/api/v1/gateways/bootstrap', { name: 'x' }, tls)).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });

    // Disabling cuts it off on the next request, on the connection-independent per-request check.
    expect(
      (await call(primary.baseUrl, 'POST', `/api/v1/gateways/${id}/disable`, { token: admin })).body,
    ).toMatchObject({ status: 'disabled' });
    expect(await heartbeat(gw)).toMatchObject({ status: 401, body: { code: 'gateway_not_active' } });
  });

  it('keeps bootstrap and the gateway list to holders of gateways:manage', async () => {
    expect(
      (await call(primary.baseUrl, 'POST', '/api/v1/gateways/bootstrap', { body: { name: 'anon' } })).status,
    ).toBe(401);
    expect((await call(primary.baseUrl, 'GET', '/api/v1/gateways')).status).toBe(401);
    for (const bad of [{ environment: 'DEV' }, { role: 'active' }, { name: 'x'.repeat(129) }])
      expect((await bootstrap({ name: 'bad', ...bad })).body).toMatchObject({
        status: 400,
        code: 'validation_failed',
      });
    expect((await bootstrap({ name: 'gw-race' })).body).toMatchObject({
      status: 409,
      code: 'gateway_name_taken',
    });
  });
});
