import { KeyVaultTestServer, type TestDatabase } from '@mazevault/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayListener } from '../src/gateways/gateway-listener';
import { createGatewayDatabase, type GatewayProcess, startGatewayProcess, until } from './gateway-harness';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * The whole loop with nothing stood in for: the Primary (its mTLS listener on loopback), three gateway
 * processes (apps/gateway/src/main.ts: gw-npr-primary, gw-npr-dr, gw-pro-primary), each with its own
 * database, enrolled with a bootstrap token, heartbeating, long-polling and answering over mTLS + E2EE,
 * and one Project Key Vault per environment (the Key Vault test server) reached by the production
 * Azure SDK with a workload identity, as in AKS (seed "Managed Identity Isolation": NPR and PRO
 * each have their own identity and vault).
 */

const NPR_CLIENT_ID = '00000000-0000-4000-8000-00000000a001';
const PRO_CLIENT_ID = '00000000-0000-4000-8000-00000000a002';

interface TaskView {
  id: string;
  status: string;
  environment: string;
  leasedByGatewayId: string | null;
  output: Record<string, unknown> | null;
  errorCode: string | null;
}

describe('gateway task round trip: Primary → gateway processes → Project Key Vaults', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let port: number;
  let admin: string;
  const vaults: Record<'NPR' | 'PRO', KeyVaultTestServer> = {} as never;
  const gateways: Record<string, { id: string; process: GatewayProcess; db: TestDatabase }> = {};
  let dir: string;
  let project: { id: string; environments: { id: string; slug: string }[] };
  const envId = (slug: string) => project.environments.find((e) => e.slug === slug)!.id;

  const api = (method: string, path: string, body?: unknown) =>
    call(base, method, path, { token: admin, ...(body !== undefined ? { body } : {}) });
  const task = async (id: string) => (await api('GET', `/api/v1/gateways/tasks/${id}`)).body as TaskView;
  const finished = (id: string) =>
    until(
      `task ${id} to finish`,
      async () => {
        const view = await task(id);
        return view.status === 'succeeded' || view.status === 'failed' ? view : undefined;
      },
      600,
    );
  /** The value a vault holds for a MazeVault secret path (its Key Vault name comes from the naming codec). */
  const vaultValue = (vault: KeyVaultTestServer, marker: string) =>
    vault
      .names()
      .map((name) => vault.peek(name)?.value)
      .find((value) => value?.includes(marker));

  async function startGateway(
    name: string,
    environment: 'NPR' | 'PRO',
    role: 'primary' | 'dr-standby',
  ): Promise<void> {
    const pkg = (await api('POST', '/api/v1/gateways/bootstrap', { name, environment, role })).body;
    const db = await createGatewayDatabase(`gw-roundtrip-${name}`);
    const vault = vaults[environment];
    const process = await startGatewayProcess({
      PRIMARY_BACKEND_URL: `https://127.0.0.1:${port}`,
      GATEWAY_BOOTSTRAP_TOKEN: pkg.token,
      MAZEVAULT_GATEWAY_ENVIRONMENT: environment,
      MAZEVAULT_GATEWAY_ROLE: role,
      DATABASE_URL: db.url,
      MASTER_KEY: randomBytes(32).toString('base64'),
      GATEWAY_TASK_POLL_WAIT_SECONDS: '1',
      MAZEVAULT_PROJECT_KEYVAULT_URL: vault.url,
      MAZEVAULT_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      AZURE_MANAGED_IDENTITY_CLIENT_ID: environment === 'NPR' ? NPR_CLIENT_ID : PRO_CLIENT_ID,
      AZURE_CLIENT_ID: environment === 'NPR' ? NPR_CLIENT_ID : PRO_CLIENT_ID,
      AZURE_TENANT_ID: vault.tenantId,
      AZURE_AUTHORITY_HOST: vault.url,
      AZURE_FEDERATED_TOKEN_FILE: join(dir, `${environment}.token`),
      NODE_EXTRA_CA_CERTS: join(dir, `${environment}.ca.pem`),
    });
    gateways[name] = { id: pkg.gatewayId, process, db };
    await until(`${name} to register`, async () =>
      process.output().includes(`Gateway registered successfully: ${pkg.gatewayId}`) ? true : undefined,
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mv-roundtrip-'));
    for (const [environment, clientId] of [
      ['NPR', NPR_CLIENT_ID],
      ['PRO', PRO_CLIENT_ID],
    ] as const) {
      const assertion = `federated-token-${environment}-${randomBytes(8).toString('hex')}`;
      vaults[environment] = await KeyVaultTestServer.start({ federated: { clientId, assertion } });
      writeFileSync(join(dir, `${environment}.token`), assertion);
      writeFileSync(join(dir, `${environment}.ca.pem`), vaults[environment].caPem);
    }
    primary = await startPrimary('gateway-roundtrip', {
      GATEWAY_LISTEN_PORT: '0',
      GATEWAY_LISTEN_HOST: '127.0.0.1',
      GATEWAY_HEARTBEAT_INTERVAL_SECONDS: '1',
    });
    base = primary.baseUrl;
    port = primary.app.get(GatewayListener).port!;
    admin = await login(base, primary.admin.email, primary.admin.password);
    project = (
      await api('POST', '/api/v1/projects', {
        slug: 'shop',
        name: 'Shop',
        environments: ['dev', 'staging', 'prod'],
      })
    ).body;
    for (const [env, gatewayEnvironment] of [
      ['dev', 'NPR'],
      ['staging', 'NPR'],
      ['prod', 'PRO'],
    ])
      expect(
        (await api('PATCH', `/api/v1/projects/shop/environments/${env}`, { gatewayEnvironment })).status,
      ).toBe(200);
    for (const [env, value] of [
      ['dev', 'dev-only-db-password'],
      ['staging', 'staging-only-db-password'],
      ['prod', 'prod-only-db-password'],
    ])
      expect(
        (await api('PUT', `/api/v1/projects/shop/environments/${env}/secrets/app/db`, { value })).status,
      ).toBe(200);
    await startGateway('gw-npr-primary', 'NPR', 'primary');
    await startGateway('gw-npr-dr', 'NPR', 'dr-standby');
    await startGateway('gw-pro-primary', 'PRO', 'primary');
  });

  afterAll(async () => {
    for (const gateway of Object.values(gateways)) {
      await gateway.process.stop();
      await gateway.db.drop();
    }
    await primary?.close();
    for (const vault of Object.values(vaults)) await vault?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('syncs each environment to its own Key Vault only: NPR never sees a PRO secret', async () => {
    const dev = await api('POST', '/api/v1/gateways/tasks', {
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('dev'),
    });
    const staging = await api('POST', '/api/v1/gateways/tasks', {
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('staging'),
    });
    const prod = await api('POST', '/api/v1/gateways/tasks', {
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('prod'),
    });
    expect([dev.status, prod.status]).toEqual([201, 201]);
    const [devDone, prodDone] = [await finished(dev.body.id), await finished(prod.body.id)];
    expect(devDone).toMatchObject({
      status: 'succeeded',
      environment: 'NPR',
      leasedByGatewayId: gateways['gw-npr-primary']!.id,
    });
    expect(prodDone).toMatchObject({
      status: 'succeeded',
      environment: 'PRO',
      leasedByGatewayId: gateways['gw-pro-primary']!.id,
    });
    expect(await finished(staging.body.id)).toMatchObject({ status: 'succeeded', environment: 'NPR' });
    // One NPR vault serves dev and staging: each environment's secrets under `<project>/<environment>/`.
    expect(vaults.NPR.peek('shop--dev--app--db')?.value).toBe('dev-only-db-password');
    expect(vaults.NPR.peek('shop--staging--app--db')?.value).toBe('staging-only-db-password');
    expect(vaults.PRO.names()).toEqual(['shop--prod--app--db']);
    expect(vaultValue(vaults.PRO, 'prod-only')).toBe('prod-only-db-password');
    expect(vaultValue(vaults.NPR, 'prod-only')).toBeUndefined();
    expect(vaultValue(vaults.PRO, 'dev-only')).toBeUndefined();
    // Each vault was reached only with its own environment's workload identity.
    expect(new Set(vaults.NPR.tokenRequests.map((r) => r.clientId))).toEqual(new Set([NPR_CLIENT_ID]));
    expect(new Set(vaults.PRO.tokenRequests.map((r) => r.clientId))).toEqual(new Set([PRO_CLIENT_ID]));
    // No gateway wrote a value to its log.
    for (const gateway of Object.values(gateways))
      expect(gateway.process.output()).not.toMatch(/(dev|prod)-only-db-password/);
  });

  it('rotates a Key Vault secret once per idempotency key and records the value as the next version', async () => {
    const body = {
      kind: 'rotate-vault-secret',
      projectId: project.id,
      environmentId: envId('dev'),
      path: 'app/db',
      idempotencyKey: 'ci-rotate-4711',
    };
    const queued = await api('POST', '/api/v1/gateways/tasks', body);
    expect(queued.status).toBe(201);
    const done = await finished(queued.body.id);
    expect(done).toMatchObject({ status: 'succeeded', leasedByGatewayId: gateways['gw-npr-primary']!.id });
    const read = await api('GET', '/api/v1/projects/shop/environments/dev/secrets/app/db');
    expect(read.status).toBe(200);
    const rotated = read.body.value as string;
    expect(rotated).not.toBe('dev-only-db-password');
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(vaults.NPR.peek('shop--dev--app--db')?.value).toBe(rotated);
    expect(vaults.NPR.peek('shop--staging--app--db')?.value).toBe('staging-only-db-password');
    const version = read.body.version as number;

    // The same request again (a CI retry) is the same task: nothing runs or changes twice.
    const again = await api('POST', '/api/v1/gateways/tasks', body);
    expect(again.body.id).toBe(queued.body.id);
    const reread = await api('GET', '/api/v1/projects/shop/environments/dev/secrets/app/db');
    expect(reread.body).toMatchObject({ value: rotated, version });
  });

  it('keeps the DR standby idle until activate-dr, then it runs the tasks; failback hands them back', async () => {
    const ping = async () => {
      const queued = await api('POST', '/api/v1/gateways/tasks', { kind: 'ping', environment: 'NPR' });
      expect(queued.status).toBe(201);
      return finished(queued.body.id);
    };
    const dr = gateways['gw-npr-dr']!;
    const nprPrimary = gateways['gw-npr-primary']!;
    expect(await ping()).toMatchObject({ status: 'succeeded', leasedByGatewayId: nprPrimary.id });
    // The standby heartbeats (the Primary has seen it) but never polled.
    const listed = (await api('GET', '/api/v1/gateways')).body.gateways as {
      id: string;
      lastSeenAt: string | null;
    }[];
    expect(listed.find((g) => g.id === dr.id)?.lastSeenAt).not.toBeNull();
    expect(dr.process.output()).not.toContain('Task polling started');
    expect(dr.process.output()).not.toContain('task succeeded');

    expect((await api('POST', '/api/v1/admin/failover/NPR/activate-dr')).body).toMatchObject({
      activeRole: 'dr-standby',
      changed: true,
    });
    expect(await ping()).toMatchObject({ status: 'succeeded', leasedByGatewayId: dr.id });
    // Log lines reach the pipe within the logger's 250 ms flush, not at once.
    await until('the standby to log that it polls', async () =>
      dr.process.output().includes('Task polling started') ? true : undefined,
    );

    expect((await api('POST', '/api/v1/admin/failover/NPR/failback')).body).toMatchObject({
      activeRole: 'primary',
      changed: true,
    });
    expect(await ping()).toMatchObject({ status: 'succeeded', leasedByGatewayId: nprPrimary.id });
    const health = (await api('GET', '/api/v1/admin/gateway-health')).body;
    expect(JSON.stringify(health)).toContain('gw-npr-dr');
  });
});
