import { sha256Hex } from '@mazevault/crypto';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { createCsr, signerFromPkcs8 } from '@mazevault/pki';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import { GatewayListener } from '../src/gateways/gateway-listener';
import { PlatformCaService } from '../src/gateways/platform-ca.service';
import {
  type Answer,
  type ClientTls,
  createGatewayDatabase,
  foreignClientCertificate,
  gatewayCall as sealedCall,
  type GatewayProcess,
  newKeyAndCsr,
  registerWithToken,
  runGatewayToExit,
  startGatewayProcess,
  type TestGateway,
  until,
  heartbeatBody,
} from './gateway-harness';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * The gateway certificate and token lifecycle, end to end: renewal over mTLS (by the gateway process
 * at 2/3 of its certificate's lifetime, and route by route), refusal of expired, revoked (also after a
 * Primary restart), foreign and disabled gateways' certificates — on open keep-alive connections too —,
 * re-enrollment after expiry keeping the gateway's id, bootstrap tokens listed and revoked, and the
 * listener's own server certificate renewed in place. The Primary runs in process with an injected
 * clock (real time plus `skew`); gateways are child processes on real time.
 */

const DAY_MS = 86_400_000;

describe('gateways: certificate and token lifecycle', () => {
  // The Primary starts 21 days in the past, so its 30-day listener certificate is due (past 2/3) once
  // the clock is back to the present.
  let skew = -21 * DAY_MS;
  const clock = { now: () => new Date(Date.now() + skew) };
  let database: TestDatabase;
  let primary: PrimaryTestApp;
  let port: number;
  let admin: string;
  let startSerial: string;
  const gateways: GatewayProcess[] = [];
  const gatewayDbs: TestDatabase[] = [];
  const primaryEnv = {
    GATEWAY_LISTEN_PORT: '0',
    GATEWAY_LISTEN_HOST: '127.0.0.1',
    GATEWAY_BOOTSTRAP_TOKEN_TTL_SECONDS: '600',
    // The floor: renewal falls 20 s after issuance (notBefore is backdated 60 s), expiry 60 s after.
    GATEWAY_CERT_TTL_SECONDS: '60',
    MASTER_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: 'lifecycle-admin@example.test',
  };

  const start = async () => {
    primary = await startPrimary(
      'gateway-lifecycle',
      { ...primaryEnv, DATABASE_URL: database.url },
      { clock },
    );
    port = primary.app.get(GatewayListener).port!;
  };
  const bootstrap = (name: string) =>
    call(primary.baseUrl, 'POST', '/api/v1/gateways/bootstrap', { token: admin, body: { name } });
  const listGateways = async () =>
    (await call(primary.baseUrl, 'GET', '/api/v1/gateways', { token: admin })).body.gateways as {
      id: string;
      name: string;
      status: string;
      certificateNotAfter: string | null;
      lastSeenAt: string | null;
      lastHeartbeat: Record<string, unknown> | null;
    }[];
  const gatewayRow = async (id: string) => (await listGateways()).find((g) => g.id === id)!;
  /** Every listener call after enrollment goes through here (one place for the message envelope). */
  const gatewayCall = (
    path: string,
    body: unknown,
    gw: TestGateway,
    tls: ClientTls = gw.tls,
    agent?: Agent,
  ): Promise<Answer> => sealedCall(port, gw, path, body, {}, { tls, agent });
  const heartbeat = (gw: TestGateway, tls: ClientTls = gw.tls, agent?: Agent) =>
    gatewayCall('/api/v1/gateway/heartbeat', heartbeatBody(), gw, tls, agent);
  const enroll = async (name: string) => {
    const pkg = (await bootstrap(name)).body;
    const enrolled = await registerWithToken(port, pkg);
    expect(enrolled.answer.status).toBe(201);
    return enrolled;
  };
  const refusedWith = (answer: Answer, code: string) =>
    expect(answer).toMatchObject({ status: 401, body: { status: 401, code, title: expect.any(String) } });
  /** The listener's server certificate as a new handshake sees it, verified against the pinned CA. */
  const serverCertificate = (ca: string) =>
    new Promise<{ serialNumber: string; validFrom: Date }>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: [ca], rejectUnauthorized: true });
      socket.once('secureConnect', () => {
        const peer = socket.getPeerCertificate();
        socket.end();
        resolve({ serialNumber: peer.serialNumber, validFrom: new Date(peer.valid_from) });
      });
      socket.once('error', reject);
    });
  const auditActions = async (action: string) =>
    (await primary.dataSource.query(
      `SELECT "actor_id", "resource_ref", "outcome", "details" FROM "audit_events" WHERE "action" = $1 ORDER BY "id"`,
      [action],
    )) as { actor_id: string; resource_ref: string; outcome: string; details: Record<string, unknown> }[];

  beforeAll(async () => {
    database = await createTestDatabase('gateway-lifecycle');
    await start();
    const { caPem: ca } = await primary.app.get(PlatformCaService).get();
    startSerial = (await serverCertificate(ca)).serialNumber;
    // Not due yet (an hour into its 30 days): the listener keeps its certificate.
    skew += 3600_000;
    await primary.app.get(GatewayListener).refreshServerCertificate();
    expect((await serverCertificate(ca)).serialNumber).toBe(startSerial);
    skew = 0;
    admin = await login(primary.baseUrl, primaryEnv.ADMIN_EMAIL, primary.admin.password);
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await primary?.app.close();
    await primary?.dataSource.destroy();
    await database?.drop();
    await Promise.all(gatewayDbs.map((db) => db.drop()));
  });

  it("renews the listener's server certificate at 2/3 of its lifetime, without a restart", async () => {
    const pkg = (await bootstrap('gw-server-cert')).body;
    const before = await serverCertificate(pkg.platformCaCertificatePem);
    expect(before.serialNumber).toBe(startSerial);
    await primary.app.get(GatewayListener).refreshServerCertificate();
    const after = await serverCertificate(pkg.platformCaCertificatePem);
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.validFrom.getTime()).toBeGreaterThan(Date.now() - 5 * 60_000);
    // Same listener, same port; a gateway pinned to the platform CA enrolls and is served as before.
    expect((await heartbeat(await registerWithToken(port, pkg))).status).toBe(200);
  });

  it('renews a certificate over mTLS: new key, same gateway, the old serial refused at once, audited', async () => {
    const gw = await enroll('gw-renew-route');
    const { id, tls } = gw;
    const sameKey = await gatewayCall(
      '/api/v1/gateway/certificate/renew',
      // A CSR for the key the gateway already has is not a renewal.
      { csr: await csrFor(tls.key) },
      gw,
    );
    expect(sameKey).toMatchObject({ status: 400, body: { code: 'csr_key_reused' } });
    const named = await newKeyAndCsr({ commonName: 'someone-else' });
    expect(
      (await gatewayCall('/api/v1/gateway/certificate/renew', { csr: named.csrPem }, gw)).body,
    ).toMatchObject({ status: 400, code: 'csr_name_mismatch' });
    expect((await gatewayCall('/api/v1/gateway/certificate/renew', { csr: 'x' }, gw)).body).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });

    const next = await newKeyAndCsr();
    const renewed = await gatewayCall('/api/v1/gateway/certificate/renew', { csr: next.csrPem }, gw);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ notAfter: expect.any(String), chainPem: expect.any(String) });
    const fresh = { ca: tls.ca, cert: renewed.body.certificatePem as string, key: next.keyPem };
    refusedWith(await heartbeat(gw), 'client_certificate_revoked');
    expect((await heartbeat(gw, fresh)).status).toBe(200);
    expect((await gatewayRow(id)).certificateNotAfter).toBe(renewed.body.notAfter);
    const [event] = (await auditActions('gateway.certificate.renew')).filter((e) => e.resource_ref === id);
    expect(event).toMatchObject({
      outcome: 'success',
      details: { previousSerial: expect.any(String), serial: expect.any(String) },
    });
  });

  it('refuses certificates from another CA, expired (by the Primary clock), revoked (also after a restart) and of a disabled gateway', async () => {
    const foreignTarget = await enroll('gw-foreign');
    const forged = await foreignClientCertificate(foreignTarget.id);
    const foreign = await heartbeat(foreignTarget, { ca: foreignTarget.tls.ca, ...forged });
    refusedWith(foreign, 'client_certificate_invalid');

    const expiring = await enroll('gw-expired');
    expect((await heartbeat(expiring)).status).toBe(200);
    skew = 61_000;
    try {
      refusedWith(await heartbeat(expiring), 'client_certificate_expired');
    } finally {
      skew = 0;
    }

    const revoked = await enroll('gw-revoked');
    const revocation = await call(
      primary.baseUrl,
      'POST',
      `/api/v1/gateways/${revoked.id}/revoke-certificate`,
      { token: admin },
    );
    expect(revocation).toMatchObject({
      status: 200,
      body: { id: revoked.id, status: 'pending', revokedSerial: expect.any(String) },
    });
    refusedWith(await heartbeat(revoked), 'client_certificate_revoked');
    expect((await auditActions('gateway.certificate.revoke')).map((e) => e.resource_ref)).toContain(
      revoked.id,
    );

    const disabled = await enroll('gw-disabled');
    await call(primary.baseUrl, 'POST', `/api/v1/gateways/${disabled.id}/disable`, { token: admin });
    refusedWith(await heartbeat(disabled), 'gateway_not_active');

    // A restart reads revocation and status from the database: still refused; a healthy one still served.
    const healthy = await enroll('gw-survivor');
    await primary.app.close();
    await primary.dataSource.destroy();
    await start();
    admin = await login(primary.baseUrl, primaryEnv.ADMIN_EMAIL, primary.admin.password);
    refusedWith(await heartbeat(revoked), 'client_certificate_revoked');
    refusedWith(await heartbeat(disabled), 'gateway_not_active');
    expect((await heartbeat(healthy)).status).toBe(200);
  });

  it('cuts off an already-open keep-alive connection within 5 s of disable and of revoke', async () => {
    for (const [name, cutOff] of [
      ['gw-keepalive-disable', 'disable'],
      ['gw-keepalive-revoke', 'revoke-certificate'],
    ] as const) {
      const gw = await enroll(name);
      const { id } = gw;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await heartbeat(gw, gw.tls, agent);
        expect(first.status).toBe(200);
        const second = await heartbeat(gw, gw.tls, agent);
        expect(second).toMatchObject({ status: 200, localPort: first.localPort });
        const at = Date.now();
        await call(primary.baseUrl, 'POST', `/api/v1/gateways/${id}/${cutOff}`, { token: admin });
        const after = await heartbeat(gw, gw.tls, agent);
        expect(after.localPort).toBe(first.localPort); // the same, already open connection
        expect(after.status).toBe(401);
        expect(Date.now() - at).toBeLessThan(5000);
        // Refused by the listener's per-request authentication (audited as access.deny), not merely
        // by the heartbeat handler's own status check.
        expect((await auditActions('access.deny')).map((e) => e.actor_id)).toContain(id);
      } finally {
        agent.destroy();
      }
    }
  });

  it('lists bootstrap tokens as metadata only and revokes them; only admins create or revoke', async () => {
    const pkg = (await bootstrap('gw-tokens')).body;
    const list = await call(primary.baseUrl, 'GET', '/api/v1/gateways/bootstrap-tokens', { token: admin });
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(pkg.token.split('.')[0]);
    expect(text).not.toContain(sha256Hex(pkg.token));
    const token = list.body.tokens.find((t: { gatewayId: string }) => t.gatewayId === pkg.gatewayId);
    expect(token).toMatchObject({ gatewayName: 'gw-tokens', state: 'unused', usedAt: null, revokedAt: null });
    expect(Object.keys(token).sort()).toEqual([
      'createdAt',
      'createdBy',
      'expiresAt',
      'gatewayId',
      'gatewayName',
      'id',
      'revokedAt',
      'state',
      'usedAt',
    ]);

    const revoke = (id: string, as = admin) =>
      call(primary.baseUrl, 'POST', `/api/v1/gateways/bootstrap-tokens/${id}/revoke`, { token: as });
    expect((await revoke(token.id)).body).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
    expect((await revoke(token.id)).status).toBe(200); // idempotent
    expect((await revoke('00000000-0000-4000-8000-000000000000')).body).toMatchObject({
      status: 404,
      code: 'bootstrap_token_not_found',
    });
    refusedWith((await registerWithToken(port, pkg)).answer, 'invalid_bootstrap_token');
    expect((await auditActions('gateway.bootstrap_token.revoke')).map((e) => e.resource_ref)).toContain(
      token.id,
    );
    const used = await enroll('gw-token-used');
    const usedToken = (
      await call(primary.baseUrl, 'GET', '/api/v1/gateways/bootstrap-tokens', { token: admin })
    ).body.tokens.find((t: { gatewayId: string }) => t.gatewayId === used.id);
    expect(usedToken.state).toBe('used');
    expect((await revoke(usedToken.id)).body).toMatchObject({ status: 409, code: 'bootstrap_token_used' });

    // A security officer holds gateways:manage (lists) but is no admin; a plain user holds neither.
    const password = 'a long enough password';
    for (const [email, role] of [
      ['officer@example.test', 'security-officer'],
      ['plain@example.test', undefined],
    ] as const) {
      const created = await call(primary.baseUrl, 'POST', '/api/v1/users', {
        token: admin,
        body: { email, password, ...(role ? { role } : {}) },
      });
      expect(created.status).toBe(201);
      const user = await login(primary.baseUrl, email, password);
      const listed = await call(primary.baseUrl, 'GET', '/api/v1/gateways/bootstrap-tokens', { token: user });
      expect(listed.status).toBe(role ? 200 : 403);
      for (const path of [
        `/api/v1/gateways/bootstrap-tokens/${usedToken.id}/revoke`,
        `/api/v1/gateways/${used.id}/revoke-certificate`,
        `/api/v1/gateways/${used.id}/bootstrap`,
      ]) {
        const answer = await call(primary.baseUrl, 'POST', path, { token: user });
        expect(answer).toMatchObject({ status: 403, body: { status: 403 } });
      }
    }
    expect((await heartbeat(used)).status).toBe(200); // nothing the non-admins tried took effect
  });

  it('the gateway process renews at 2/3 and keeps heartbeating; expired while down it exits 78 with one line and re-enrolls with a new token, keeping its id', async () => {
    const env = async (name: string) => {
      const db = await createGatewayDatabase(`gateway-lifecycle-${name}`);
      gatewayDbs.push(db);
      return {
        PRIMARY_BACKEND_URL: `https://127.0.0.1:${port}`,
        DATABASE_URL: db.url,
        MASTER_KEY: randomBytes(32).toString('base64'),
      };
    };
    const renewing = (await bootstrap('gw-process-renew')).body;
    const expiring = (await bootstrap('gw-process-expire')).body;
    const renewEnv = await env('renew');
    const expireEnv = await env('expire');
    const [a, b] = await Promise.all([
      startGatewayProcess({ ...renewEnv, GATEWAY_BOOTSTRAP_TOKEN: renewing.token }),
      startGatewayProcess({ ...expireEnv, GATEWAY_BOOTSTRAP_TOKEN: expiring.token }),
    ]);
    gateways.push(a, b);
    // The second one goes down right after enrolling, long before its renewal (20 s) is due.
    await until(
      'b enrolled',
      async () => b.output().includes('Gateway registered successfully') || undefined,
    );
    await b.stop();
    const expiresAt = new Date((await gatewayRow(expiring.gatewayId)).certificateNotAfter!);

    const issued = (
      await until('a heartbeat', async () => {
        const row = await gatewayRow(renewing.gatewayId);
        return row.lastSeenAt ? row : undefined;
      })
    ).certificateNotAfter!;
    const renewedLine = await until(
      'the renewal log line',
      async () => a.output().match(/gateway certificate renewed; it expires at (\S+?)"/)?.[1],
      400,
    );
    expect(new Date(renewedLine).getTime()).toBeGreaterThan(new Date(issued).getTime());
    const renewedNotAfter = await until('the new certificate on record', async () => {
      const row = await gatewayRow(renewing.gatewayId);
      return row.certificateNotAfter !== issued ? row.certificateNotAfter : undefined;
    });
    // Heartbeats continue on the new certificate (they report its expiry).
    await until('a heartbeat with the new certificate', async () => {
      const row = await gatewayRow(renewing.gatewayId);
      return row.lastHeartbeat?.certificateNotAfter === renewedNotAfter ? true : undefined;
    });
    // No overlap: a heartbeat in flight during the switch may be refused once; the breaker stays closed.
    const health = await a.get('/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ checks: { primary: { status: 'up' } } });

    // Expired while it was down: without a token it refuses to start, with one line and EX_CONFIG.
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt.getTime() - Date.now() + 500)));
    const refused = await runGatewayToExit(expireEnv);
    expect(refused.code).toBe(78);
    const line = `gateway certificate expired at ${expiresAt.toISOString()}; set GATEWAY_BOOTSTRAP_TOKEN from POST /api/v1/gateways/${expiring.gatewayId}/bootstrap to re-enroll`;
    expect(refused.output.split('\n').filter((l) => l.includes('gateway certificate expired'))).toEqual([
      expect.stringContaining(line),
    ]);

    // A new token for the same gateway: it enrolls again and keeps its id, environment and role.
    const again = await call(primary.baseUrl, 'POST', `/api/v1/gateways/${expiring.gatewayId}/bootstrap`, {
      token: admin,
    });
    expect(again).toMatchObject({
      status: 201,
      body: { gatewayId: expiring.gatewayId, name: 'gw-process-expire', environment: 'NPR', role: 'primary' },
    });
    const c = await startGatewayProcess({ ...expireEnv, GATEWAY_BOOTSTRAP_TOKEN: again.body.token });
    gateways.push(c);
    await until('the re-enrolled gateway heartbeats', async () => {
      const row = await gatewayRow(expiring.gatewayId);
      return row.lastSeenAt && new Date(row.certificateNotAfter!) > expiresAt ? true : undefined;
    });
    // Log lines may reach the pipe after the fact: wait for the line.
    await until('the re-enrollment log line', async () =>
      c.output().includes(`Gateway registered successfully: ${expiring.gatewayId}`) ? true : undefined,
    );
    expect((await listGateways()).filter((g) => g.name === 'gw-process-expire')).toHaveLength(1);

    // Its certificate revoked: the spent token left in the environment does not re-enroll (the stored
    // identity is used, and refused); a new token for the same gateway does.
    await call(primary.baseUrl, 'POST', `/api/v1/gateways/${expiring.gatewayId}/revoke-certificate`, {
      token: admin,
    });
    await c.stop();
    const d = await startGatewayProcess({ ...expireEnv, GATEWAY_BOOTSTRAP_TOKEN: again.body.token });
    gateways.push(d);
    await until('the stored identity in use', async () =>
      d.output().includes(`Using stored gateway identity: ${expiring.gatewayId}`) ? true : undefined,
    );
    await until('its heartbeat refused', async () =>
      d.output().includes('client_certificate_revoked') ? true : undefined,
    );
    await d.stop();
    const fresh = (
      await call(primary.baseUrl, 'POST', `/api/v1/gateways/${expiring.gatewayId}/bootstrap`, {
        token: admin,
      })
    ).body;
    const e = await startGatewayProcess({ ...expireEnv, GATEWAY_BOOTSTRAP_TOKEN: fresh.token });
    gateways.push(e);
    await until('the gateway enrolled again', async () =>
      e.output().includes(`Gateway registered successfully: ${expiring.gatewayId}`) ? true : undefined,
    );
    expect(e.output()).toContain('a new GATEWAY_BOOTSTRAP_TOKEN is set: re-enrolling');
    await until('a heartbeat on the new certificate', async () => {
      const row = await gatewayRow(expiring.gatewayId);
      return row.status === 'active' && row.lastHeartbeat?.certificateNotAfter === row.certificateNotAfter
        ? true
        : undefined;
    });
  }, 180_000);
});

/** A CSR signed by an existing key (PEM). */
async function csrFor(keyPem: string): Promise<string> {
  const pkcs8 = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return (await createCsr({ signer: await signerFromPkcs8(new Uint8Array(pkcs8)), subject: {} })).pem;
}
