import { WorkloadIdentityCredential } from '@azure/identity';
import type { GatewayTask } from '@mazevault/contracts';
import { createAzureSecretStore, encodeKeyVaultName } from '@mazevault/keyvault';
import { createGatewayDataSource } from '@mazevault/persistence';
import { createTestDatabase, KeyVaultTestServer, type TestDatabase } from '@mazevault/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { ROTATION_KEY_TAG, rotateVaultSecret } from './runners/rotate-vault-secret.runner';
import { TaskExecutor } from './task-executor';
import { TaskLog } from './task-log';

const CLIENT_ID = '0b7e5a2c-1d3f-4a6b-8c9d-0e1f2a3b4c5d';
const ASSERTION = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnYXRld2F5In0.c2ln';
const PROJECT = randomUUID();
const ENVIRONMENT = randomUUID();

/**
 * The task runners against the Key Vault test server with the real SDK and a real workload identity
 * credential (client assertion), the task log in a real gateway database.
 */
describe('TaskExecutor with the Project Key Vault', () => {
  let server: KeyVaultTestServer;
  let db: TestDatabase;
  let dataSource: DataSource;
  let dir: string;
  let registry: Registry;
  let executor: TaskExecutor;
  let logs: string;

  beforeAll(async () => {
    server = await KeyVaultTestServer.start({ federated: { clientId: CLIENT_ID, assertion: ASSERTION } });
    dir = mkdtempSync(join(tmpdir(), 'mv-gw-kv-'));
    writeFileSync(join(dir, 'token'), ASSERTION);
    db = await createTestDatabase('gateway-task-executor');
    dataSource = await createGatewayDataSource({ url: db.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    server.reset();
    await dataSource.query('DELETE FROM "gateway_task_log"');
    registry = new Registry();
    logs = '';
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logs += chunk.toString();
          done();
        },
      }),
    );
    const credential = new WorkloadIdentityCredential({
      tenantId: server.tenantId,
      clientId: CLIENT_ID,
      tokenFilePath: join(dir, 'token'),
      authorityHost: server.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: server.caPem },
    } as ConstructorParameters<typeof WorkloadIdentityCredential>[0]);
    const vault = createAzureSecretStore(
      {
        vaultUrl: server.url,
        credential: { type: 'injected', credential },
        clientOptions: { tlsOptions: { ca: server.caPem }, disableChallengeResourceVerification: true },
        resilience: { max_retries: 0 },
      },
      { logger },
    );
    executor = new TaskExecutor(new TaskLog(dataSource), vault, new GatewayMetrics(registry), logger);
  });

  const task = (params: GatewayTask['params'], extra: Partial<GatewayTask> = {}): GatewayTask => ({
    taskId: randomUUID(),
    idempotencyKey: `task:${randomUUID()}`,
    epoch: 7,
    attempt: 1,
    issuedAt: new Date().toISOString(),
    params,
    vaultNamespace: 'shop/dev',
    ...extra,
  });
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    )?.value ?? 0;
  const puts = () => server.apiRequests({ method: 'PUT' }).length;

  it('sync writes only the secrets whose value differs, and re-reports its recorded outcome on redelivery without touching the vault', async () => {
    const seed = task(
      { kind: 'sync-secrets', projectId: PROJECT, environmentId: ENVIRONMENT },
      {
        secrets: [{ path: 'app/db-password', version: 1, value: 'same-value' }],
      },
    );
    expect((await executor.execute(seed)).output).toEqual({ kind: 'sync-secrets', written: 1, unchanged: 0 });

    const sync = task(
      { kind: 'sync-secrets', projectId: PROJECT, environmentId: ENVIRONMENT },
      {
        secrets: [
          { path: 'app/db-password', version: 1, value: 'same-value' },
          { path: 'app/api-key', version: 3, value: 'new-api-key' },
          { path: 'App/Mixed_Case', version: 1, value: 'mixed' },
        ],
      },
    );
    const result = await executor.execute(sync);
    expect(result).toMatchObject({
      taskId: sync.taskId,
      idempotencyKey: sync.idempotencyKey,
      epoch: 7,
      status: 'succeeded',
      output: { kind: 'sync-secrets', written: 2, unchanged: 1 },
    });
    expect(puts()).toBe(3);
    expect(server.peek(encodeKeyVaultName('shop/dev/app/api-key'))?.value).toBe('new-api-key');
    expect(server.peek(encodeKeyVaultName('shop/dev/App/Mixed_Case'))?.value).toBe('mixed');

    // The same task again (a result the Primary did not get): the recorded outcome, no vault call.
    const before = server.requests.length;
    expect(await executor.execute(sync)).toEqual(result);
    expect(server.requests.length).toBe(before);
    expect(await metric('mazevault_gateway_tasks_total', { kind: 'sync-secrets', status: 'duplicate' })).toBe(
      1,
    );
    expect(logs).not.toMatch(/same-value|new-api-key|"mixed"/);
  });

  it('rotates once per idempotency key: a redelivery reports the same value, re-read from Key Vault at its version', async () => {
    const rotate = task({
      kind: 'rotate-vault-secret',
      projectId: PROJECT,
      environmentId: ENVIRONMENT,
      path: 'app/signing-key',
    });
    const first = await executor.execute(rotate);
    expect(first.status).toBe('succeeded');
    const output = first.output as { kind: 'rotate-vault-secret'; value: string; keyVaultVersion: string };
    expect(output.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.peek(encodeKeyVaultName('shop/dev/app/signing-key'))).toMatchObject({
      value: output.value,
      tags: { [ROTATION_KEY_TAG]: rotate.idempotencyKey },
    });

    const again = await executor.execute({ ...rotate, attempt: 2 });
    expect(again.output).toEqual(output);
    expect(puts()).toBe(1);
    expect(server.apiRequests({ method: 'GET' }).at(-1)?.path).toBe(
      `/secrets/${encodeKeyVaultName('shop/dev/app/signing-key')}/${output.keyVaultVersion}`,
    );

    // The task log keeps the version, never the value.
    const [row] = await dataSource.query('SELECT * FROM "gateway_task_log" WHERE "idempotency_key" = $1', [
      rotate.idempotencyKey,
    ]);
    expect(row.output_summary).toEqual({ path: 'app/signing-key', keyVaultVersion: output.keyVaultVersion });
    expect(JSON.stringify(row)).not.toContain(output.value);
    expect(logs).not.toContain(output.value);
  });

  it('a gateway that crashed after writing to Key Vault, before recording, reuses the tagged version instead of rotating twice', async () => {
    const rotate = task({
      kind: 'rotate-vault-secret',
      projectId: PROJECT,
      environmentId: ENVIRONMENT,
      path: 'svc/token',
    });
    const vault = (executor as unknown as { vault: Parameters<typeof rotateVaultSecret>[0] }).vault;
    const written = await rotateVaultSecret(vault, 'shop/dev/svc/token', rotate.idempotencyKey); // then "crash"
    const result = await executor.execute(rotate);
    expect(result.output).toEqual({ kind: 'rotate-vault-secret', ...written });
    expect(puts()).toBe(1);
  });

  it('a Key Vault 403 fails the task as keyvault_access_denied and is counted; the failure is not final', async () => {
    const rotate = task({
      kind: 'rotate-vault-secret',
      projectId: PROJECT,
      environmentId: ENVIRONMENT,
      path: 'app/denied',
    });
    server.failNext({ status: 403, path: `/secrets/${encodeKeyVaultName('shop/dev/app/denied')}` });
    const denied = await executor.execute(rotate);
    expect(denied).toEqual({
      taskId: rotate.taskId,
      idempotencyKey: rotate.idempotencyKey,
      epoch: 7,
      status: 'failed',
      finishedAt: expect.any(String),
      errorCode: 'keyvault_access_denied',
    });
    expect(await metric('mazevault_gateway_keyvault_access_denied_total')).toBe(1);
    expect(
      await metric('mazevault_gateway_tasks_total', { kind: 'rotate-vault-secret', status: 'failed' }),
    ).toBe(1);

    // Once the role is granted, the redelivered task runs (a failure is recorded, not final).
    const retried = await executor.execute({ ...rotate, attempt: 2 });
    expect(retried.status).toBe('succeeded');
    expect(await metric('mazevault_gateway_keyvault_access_denied_total')).toBe(1);
  });

  it('ping succeeds without a vault; a vault task without one fails with a clear code', async () => {
    const bare = new TaskExecutor(
      new TaskLog(dataSource),
      undefined,
      new GatewayMetrics(new Registry()),
      pino({ level: 'silent' }),
    );
    expect((await bare.execute(task({ kind: 'ping' }))).output).toEqual({ kind: 'ping' });
    expect(
      await bare.execute(
        task({ kind: 'rotate-vault-secret', projectId: PROJECT, environmentId: ENVIRONMENT, path: 'x' }),
      ),
    ).toMatchObject({ status: 'failed', errorCode: 'keyvault_not_configured' });
  });
});
