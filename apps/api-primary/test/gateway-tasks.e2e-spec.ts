import { randomUUID } from 'node:crypto';
import { GatewayListener } from '../src/gateways/gateway-listener';
import { enrollGateway, gatewayCall, listenerCall, type TestGateway } from './gateway-harness';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Gateway tasks, DR failover and fencing, environment isolation, health and metrics, end to end: the
 * real Primary with its mTLS listener on loopback, four gateways enrolled by the test itself
 * (gw-npr-primary, gw-npr-dr, gw-pro-primary, gw-pro-dr) speaking to the listener with their client
 * certificates, real PostgreSQL. Lease expiry moves through the Primary's injected clock.
 */

describe('gateway tasks, failover and isolation (real mTLS, real PostgreSQL)', () => {
  let now = new Date();
  const clock = { now: () => now };
  let primary: PrimaryTestApp;
  let base: string;
  let port: number;
  let admin: string;
  let project: { id: string; environments: { id: string; slug: string }[] };
  const envId = (slug: string) => project.environments.find((e) => e.slug === slug)!.id;
  const gw: Record<'nprPrimary' | 'nprDr' | 'proPrimary' | 'proDr', TestGateway> = {} as never;

  const api = (method: string, path: string, body?: unknown, token = admin) =>
    call(base, method, path, { token, ...(body !== undefined ? { body } : {}) });
  const createTask = (body: Record<string, unknown>, token = admin) =>
    api('POST', '/api/v1/gateways/tasks', body, token);
  const heartbeat = (g: TestGateway, environment: string, role: string) =>
    gatewayCall(port, g, '/api/v1/gateway/heartbeat', {
      sentAt: now.toISOString(),
      version: '1.5.0',
      environment,
      role,
      status: 'healthy',
      primaryCircuit: 'closed',
      consecutiveFailures: 0,
      certificateNotAfter: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
      writeQueueDepth: 0,
    });
  const poll = (g: TestGateway, max = 10, waitSeconds = 0) =>
    gatewayCall(port, g, '/api/v1/gateway/tasks/poll', { max, waitSeconds });
  const report = (
    g: TestGateway,
    task: { taskId: string; idempotencyKey: string; epoch: number },
    output?: Record<string, unknown>,
    status: 'succeeded' | 'failed' = 'succeeded',
  ) =>
    gatewayCall(port, g, '/api/v1/gateway/tasks/result', {
      taskId: task.taskId,
      idempotencyKey: task.idempotencyKey,
      epoch: task.epoch,
      status,
      finishedAt: now.toISOString(),
      ...(output ? { output } : {}),
    });
  const secret = (env: string, path: string) =>
    api('GET', `/api/v1/projects/payments/environments/${env}/secrets/${path}`);
  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  /** A series' value (whatever other labels it has, e.g. `service`), or undefined when absent. */
  const metric = (text: string, name: string, labels: Record<string, string>): number | undefined => {
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
      );
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  beforeAll(async () => {
    primary = await startPrimary(
      'gateway-tasks',
      {
        GATEWAY_LISTEN_PORT: '0',
        GATEWAY_LISTEN_HOST: '127.0.0.1',
        GATEWAY_TASK_LEASE_SECONDS: '60',
        GATEWAY_TASK_MAX_ATTEMPTS: '3',
        // Room for a rotated value larger than the listener's default body limit.
        SECRET_MAX_BYTES: String(256 * 1024),
      },
      { clock },
    );
    base = primary.baseUrl;
    port = primary.app.get(GatewayListener).port!;
    admin = await login(base, primary.admin.email, primary.admin.password);
    project = (
      await api('POST', '/api/v1/projects', {
        slug: 'payments',
        name: 'Payments',
        environments: ['dev', 'prod', 'sandbox'],
      })
    ).body;
    for (const [env, path, value] of [
      ['dev', 'app/db', 'dev-db-password'],
      ['prod', 'app/db', 'prod-db-password'],
      ['prod', 'app/api', { token: 'prod-api-token' }],
    ] as const)
      expect(
        (await api('PUT', `/api/v1/projects/payments/environments/${env}/secrets/${path}`, { value })).status,
      ).toBe(200);
    const enroll = (name: string, environment: 'NPR' | 'PRO', role: 'primary' | 'dr-standby') =>
      enrollGateway(base, admin, port, { name, environment, role });
    gw.nprPrimary = await enroll('gw-npr-primary', 'NPR', 'primary');
    gw.nprDr = await enroll('gw-npr-dr', 'NPR', 'dr-standby');
    gw.proPrimary = await enroll('gw-pro-primary', 'PRO', 'primary');
    gw.proDr = await enroll('gw-pro-dr', 'PRO', 'dr-standby');
  });

  afterAll(() => primary?.close());

  it('classifies project environments NPR, PRO or none through the environments API (a CHECK in the database too)', async () => {
    const dev = await api('PATCH', `/api/v1/projects/payments/environments/dev`, {
      gatewayEnvironment: 'NPR',
    });
    expect(dev).toMatchObject({ status: 200, body: { slug: 'dev', gatewayEnvironment: 'NPR' } });
    expect(
      (await api('PATCH', `/api/v1/projects/payments/environments/prod`, { gatewayEnvironment: 'PRO' })).body,
    ).toMatchObject({ gatewayEnvironment: 'PRO', name: 'prod' });
    const qa = await api('POST', '/api/v1/projects/payments/environments', {
      slug: 'qa',
      gatewayEnvironment: 'NPR',
    });
    expect(qa).toMatchObject({ status: 201, body: { slug: 'qa', gatewayEnvironment: 'NPR' } });
    const listed = (await api('GET', '/api/v1/projects/payments')).body.environments;
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slug: 'sandbox', gatewayEnvironment: null }),
        expect.objectContaining({ slug: 'prod', gatewayEnvironment: 'PRO' }),
      ]),
    );

    const bad = await api('PATCH', `/api/v1/projects/payments/environments/dev`, {
      gatewayEnvironment: 'DEV',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await api('PATCH', `/api/v1/projects/payments/environments/dev`, {})).body).toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      primary.dataSource.query(`UPDATE "environments" SET "gateway_environment" = 'QA' WHERE "id" = $1`, [
        envId('dev'),
      ]),
    ).rejects.toThrow(/CHK_environments_gateway_environment/);

    // Unclassified: no gateway may receive its secrets, so no task may be queued for it.
    const refused = await createTask({
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('sandbox'),
    });
    expect(refused).toMatchObject({ status: 422, body: { code: 'environment_not_classified' } });
    expect(
      (
        await createTask({
          kind: 'sync-secrets',
          projectId: project.id,
          environmentId: randomUUID(),
        })
      ).body,
    ).toMatchObject({ status: 404, code: 'environment_not_found' });
  });

  it('answers a heartbeat with serverTime, whether this gateway runs its environment tasks, and the epoch', async () => {
    expect((await heartbeat(gw.nprPrimary, 'NPR', 'primary')).body).toEqual({
      serverTime: now.toISOString(),
      active: true,
      epoch: 0,
    });
    expect((await heartbeat(gw.nprDr, 'NPR', 'dr-standby')).body).toMatchObject({ active: false, epoch: 0 });
    expect((await heartbeat(gw.proPrimary, 'PRO', 'primary')).body).toMatchObject({ active: true });
    expect((await heartbeat(gw.proDr, 'PRO', 'dr-standby')).body).toMatchObject({ active: false });
  });

  it('runs a ping round trip: queued, leased to the polling primary gateway, succeeded', async () => {
    const created = await createTask({ kind: 'ping', environment: 'NPR', idempotencyKey: 'ping-1' });
    expect(created).toMatchObject({
      status: 201,
      body: { kind: 'ping', environment: 'NPR', status: 'queued', attempt: 0, idempotencyKey: 'ping-1' },
    });
    const polled = await poll(gw.nprPrimary);
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual({
      epoch: 0,
      tasks: [
        {
          taskId: created.body.id,
          idempotencyKey: 'ping-1',
          epoch: 0,
          attempt: 1,
          issuedAt: created.body.createdAt,
          params: { kind: 'ping' },
        },
      ],
    });
    expect((await api('GET', `/api/v1/gateways/tasks/${created.body.id}`)).body).toMatchObject({
      status: 'leased',
      leasedByGatewayId: gw.nprPrimary.id,
      leaseEpoch: 0,
    });
    const ack = await report(gw.nprPrimary, polled.body.tasks[0], { kind: 'ping' });
    expect(ack).toMatchObject({
      status: 200,
      body: { taskId: created.body.id, status: 'succeeded', duplicate: false },
    });
    expect((await api('GET', `/api/v1/gateways/tasks/${created.body.id}`)).body).toMatchObject({
      status: 'succeeded',
      output: { kind: 'ping' },
      finishedAt: now.toISOString(),
    });
    const listed = await api('GET', '/api/v1/gateways/tasks?status=succeeded');
    expect(listed.body.tasks.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect((await api('GET', '/api/v1/gateways/tasks?status=queued')).body.tasks).toEqual([]);

    // The same key and parameters: the same task, nothing new queued; other parameters: refused.
    expect((await createTask({ kind: 'ping', environment: 'NPR', idempotencyKey: 'ping-1' })).body.id).toBe(
      created.body.id,
    );
    expect(
      (await createTask({ kind: 'ping', environment: 'PRO', idempotencyKey: 'ping-1' })).body,
    ).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
  });

  it('delivers a task again after its lease runs out (attempt + 1, same key); a result reported twice applies once', async () => {
    const before = (await secret('prod', 'app/db')).body.version as number;
    const created = await createTask({
      kind: 'rotate-vault-secret',
      projectId: project.id,
      environmentId: envId('prod'),
      path: 'app/db',
    });
    expect(created.body).toMatchObject({ environment: 'PRO', status: 'queued' });
    const first = (await poll(gw.proPrimary)).body.tasks;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ taskId: created.body.id, attempt: 1 });
    expect(first[0].secrets).toBeUndefined();
    expect((await poll(gw.proPrimary)).body.tasks).toEqual([]);

    now = new Date(now.getTime() + 61_000);
    const second = (await poll(gw.proPrimary)).body.tasks;
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({
      taskId: created.body.id,
      idempotencyKey: first[0].idempotencyKey,
      attempt: 2,
      epoch: 0,
    });

    // Both deliveries report, two of them at once: exactly one is applied.
    const output = { kind: 'rotate-vault-secret', value: 'rotated-by-gateway', keyVaultVersion: 'kv-v7' };
    const acks = await Promise.all([
      report(gw.proPrimary, second[0], output),
      report(gw.proPrimary, first[0], output),
    ]);
    expect(acks.map((a) => a.status)).toEqual([200, 200]);
    expect(acks.map((a) => a.body.duplicate).sort()).toEqual([false, true]);
    expect((await report(gw.proPrimary, first[0], output)).body).toEqual({
      taskId: created.body.id,
      status: 'succeeded',
      duplicate: true,
    });
    const after = await secret('prod', 'app/db');
    expect(after.body).toMatchObject({ version: before + 1, value: 'rotated-by-gateway' });
    const metadata = await api('GET', '/api/v1/projects/payments/environments/prod/metadata/app/db');
    expect(metadata.body.currentVersion).toBe(before + 1);
    const task = (await api('GET', `/api/v1/gateways/tasks/${created.body.id}`)).body;
    expect(task).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      output: { kind: 'rotate-vault-secret', secretVersion: before + 1, keyVaultVersion: 'kv-v7' },
    });
    // Values stay out of the task record and the audit log.
    expect(JSON.stringify(task)).not.toContain('rotated-by-gateway');
    const audit = await api('GET', '/api/v1/audit/events?action=secret.write&actorType=gateway');
    expect(JSON.stringify(audit.body)).toContain(gw.proPrimary.id);
    expect(JSON.stringify(audit.body)).not.toContain('rotated-by-gateway');
  });

  it('long-polls: a poll waiting for work returns as soon as a task is queued', async () => {
    const started = Date.now();
    const waiting = poll(gw.proPrimary, 10, 10);
    await new Promise((r) => setTimeout(r, 400));
    const created = await createTask({ kind: 'ping', environment: 'PRO' });
    const answered = await waiting;
    expect(answered.body.tasks).toEqual([expect.objectContaining({ taskId: created.body.id, attempt: 1 })]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await report(gw.proPrimary, answered.body.tasks[0], { kind: 'ping' })).body.duplicate).toBe(
      false,
    );
  });

  it('fails a task after its last attempt', async () => {
    const created = await createTask({ kind: 'ping', environment: 'PRO' });
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await poll(gw.proPrimary)).body.tasks).toEqual([expect.objectContaining({ attempt })]);
      now = new Date(now.getTime() + 61_000);
    }
    expect((await poll(gw.proPrimary)).body.tasks).toEqual([]);
    expect((await api('GET', `/api/v1/gateways/tasks/${created.body.id}`)).body).toMatchObject({
      status: 'failed',
      errorCode: 'max_attempts_exceeded',
      attempt: 3,
    });
  });

  it('never gives an NPR gateway a PRO task or PRO secrets', async () => {
    const pro = await createTask({
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('prod'),
    });
    const npr = await createTask({
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('dev'),
    });
    expect([pro.body.environment, npr.body.environment]).toEqual(['PRO', 'NPR']);

    const nprPolled = await poll(gw.nprPrimary);
    expect(nprPolled.body.tasks.map((t: { taskId: string }) => t.taskId)).toEqual([npr.body.id]);
    expect(nprPolled.body.tasks[0].secrets).toEqual([
      { path: 'app/db', version: 1, value: 'dev-db-password' },
    ]);
    expect(JSON.stringify(nprPolled.body)).not.toMatch(/prod-|rotated-by-gateway/);
    // Not even by naming the PRO task's id.
    expect(
      (
        await report(
          gw.nprPrimary,
          { taskId: pro.body.id, idempotencyKey: pro.body.idempotencyKey, epoch: 0 },
          {
            kind: 'sync-secrets',
            written: 1,
            unchanged: 0,
          },
        )
      ).body,
    ).toMatchObject({ status: 404, code: 'gateway_task_not_found' });

    const proPolled = await poll(gw.proPrimary);
    expect(proPolled.body.tasks.map((t: { taskId: string }) => t.taskId)).toEqual([pro.body.id]);
    expect(proPolled.body.tasks[0].secrets).toEqual([
      { path: 'app/api', version: 1, value: JSON.stringify({ token: 'prod-api-token' }) },
      { path: 'app/db', version: expect.any(Number), value: 'rotated-by-gateway' },
    ]);
    for (const [g, task] of [
      [gw.nprPrimary, nprPolled.body.tasks[0]],
      [gw.proPrimary, proPolled.body.tasks[0]],
    ])
      expect((await report(g, task, { kind: 'sync-secrets', written: 1, unchanged: 0 })).body).toMatchObject({
        status: 'succeeded',
        duplicate: false,
      });

    // A task row in the NPR queue that names a PRO environment (however it got there) is never
    // delivered: the classification is checked again at delivery.
    const smuggled = '00000000-0000-4000-8000-0000000000aa';
    await primary.dataSource.query(
      `INSERT INTO "gateway_tasks" ("id", "organization_id", "environment", "kind", "params", "idempotency_key")
       SELECT $1, "organization_id", 'NPR', 'sync-secrets', $2, 'smuggled' FROM "projects" WHERE "id" = $3`,
      [smuggled, { kind: 'sync-secrets', projectId: project.id, environmentId: envId('prod') }, project.id],
    );
    const refused = await poll(gw.nprPrimary);
    expect(refused.body.tasks).toEqual([]);
    expect(JSON.stringify(refused.body)).not.toContain('prod-');
    expect((await api('GET', `/api/v1/gateways/tasks/${smuggled}`)).body).toMatchObject({
      status: 'failed',
      errorCode: 'environment_not_classified_for_gateway',
    });

    // Classified away between queueing and delivery: the PRO task is never delivered with the
    // now-NPR environment's secrets, and the NPR gateway does not get it either.
    const queued = await createTask({
      kind: 'sync-secrets',
      projectId: project.id,
      environmentId: envId('prod'),
    });
    await api('PATCH', `/api/v1/projects/payments/environments/prod`, { gatewayEnvironment: 'NPR' });
    try {
      expect((await poll(gw.proPrimary)).body.tasks).toEqual([]);
      expect((await poll(gw.nprPrimary)).body.tasks).toEqual([]);
      expect((await api('GET', `/api/v1/gateways/tasks/${queued.body.id}`)).body).toMatchObject({
        status: 'failed',
        errorCode: 'environment_not_classified_for_gateway',
      });
    } finally {
      await api('PATCH', `/api/v1/projects/payments/environments/prod`, { gatewayEnvironment: 'PRO' });
    }
  });

  it('keeps the DR standby from polling until activate-dr, then fences the old primary; failback reverses it', async () => {
    expect(await poll(gw.nprDr)).toMatchObject({
      status: 409,
      body: { code: 'gateway_not_active_for_tasks' },
    });
    const pending = await createTask({ kind: 'ping', environment: 'NPR' });
    const leasedByPrimary = (await poll(gw.nprPrimary)).body.tasks[0];
    expect(leasedByPrimary).toMatchObject({ taskId: pending.body.id, epoch: 0 });

    expect((await api('GET', '/api/v1/admin/failover/NPR')).body).toMatchObject({
      environment: 'NPR',
      activeRole: 'primary',
      epoch: 0,
      drActive: false,
    });
    const activated = await api('POST', '/api/v1/admin/failover/NPR/activate-dr');
    expect(activated).toMatchObject({
      status: 200,
      body: { activeRole: 'dr-standby', epoch: 1, drActive: true, changed: true, requeuedTasks: 1 },
    });
    expect((await api('POST', '/api/v1/admin/failover/NPR/activate-dr')).body).toMatchObject({
      activeRole: 'dr-standby',
      epoch: 1,
      changed: false,
      requeuedTasks: 0,
    });
    expect((await api('GET', '/api/v1/admin/failover/PRO')).body).toMatchObject({
      activeRole: 'primary',
      epoch: 0,
    });

    // The old primary is fenced: no poll, and not the result of the task it leased before.
    expect(await poll(gw.nprPrimary)).toMatchObject({ status: 409, body: { code: 'gateway_fenced' } });
    expect(await report(gw.nprPrimary, leasedByPrimary, { kind: 'ping' })).toMatchObject({
      status: 409,
      body: { code: 'gateway_fenced' },
    });
    expect(await report(gw.nprPrimary, { ...leasedByPrimary, epoch: 1 }, { kind: 'ping' })).toMatchObject({
      status: 409,
      body: { code: 'gateway_fenced' },
    });
    expect((await heartbeat(gw.nprPrimary, 'NPR', 'primary')).body).toMatchObject({
      active: false,
      epoch: 1,
    });
    expect((await heartbeat(gw.nprDr, 'NPR', 'dr-standby')).body).toMatchObject({ active: true, epoch: 1 });

    // The DR gateway takes the requeued task under the new epoch.
    const taken = (await poll(gw.nprDr)).body;
    expect(taken).toMatchObject({ epoch: 1, tasks: [{ taskId: pending.body.id, attempt: 2, epoch: 1 }] });
    // A result under the old epoch, even from the active gateway, is refused.
    expect(await report(gw.nprDr, { ...taken.tasks[0], epoch: 0 }, { kind: 'ping' })).toMatchObject({
      status: 409,
      body: { code: 'gateway_fenced' },
    });
    expect((await report(gw.nprDr, taken.tasks[0], { kind: 'ping' })).body).toMatchObject({
      status: 'succeeded',
    });
    expect(metric(await scrape(), 'mazevault_gateway_failover_active', { environment: 'NPR' })).toBe(1);

    // A task the DR gateway holds when failing back goes back to the primary, under epoch 2.
    const second = await createTask({ kind: 'ping', environment: 'NPR' });
    const heldByDr = (await poll(gw.nprDr)).body.tasks[0];
    expect(heldByDr.taskId).toBe(second.body.id);
    const back = await api('POST', '/api/v1/admin/failover/NPR/failback');
    expect(back.body).toMatchObject({ activeRole: 'primary', epoch: 2, changed: true, requeuedTasks: 1 });
    expect((await api('POST', '/api/v1/admin/failover/NPR/failback')).body).toMatchObject({
      epoch: 2,
      changed: false,
    });
    expect(await poll(gw.nprDr)).toMatchObject({
      status: 409,
      body: { code: 'gateway_not_active_for_tasks' },
    });
    expect(await report(gw.nprDr, heldByDr, { kind: 'ping' })).toMatchObject({
      status: 409,
      body: { code: 'gateway_not_active_for_tasks' },
    });
    const regained = (await poll(gw.nprPrimary)).body.tasks[0];
    expect(regained).toMatchObject({ taskId: second.body.id, epoch: 2, attempt: 2 });
    // The task the primary leased before the failover (epoch 0) stays refused after failback too.
    expect(await report(gw.nprPrimary, leasedByPrimary, { kind: 'ping' })).toMatchObject({
      status: 409,
      body: { code: 'gateway_fenced' },
    });
    expect((await report(gw.nprPrimary, regained, { kind: 'ping' })).body).toMatchObject({
      status: 'succeeded',
    });
    expect(metric(await scrape(), 'mazevault_gateway_failover_active', { environment: 'NPR' })).toBe(0);
    const audited = await api('GET', '/api/v1/audit/events?resourceType=gateway_failover');
    const actions = JSON.stringify(audited.body);
    for (const action of [
      'gateway.failover.activate-dr',
      'gateway.failover.failback',
      'gateway.failover.read',
    ])
      expect(actions).toContain(action);
  });

  it('reports gateway health and the gateway metrics', async () => {
    for (const [g, env, role] of [
      [gw.nprPrimary, 'NPR', 'primary'],
      [gw.nprDr, 'NPR', 'dr-standby'],
      [gw.proPrimary, 'PRO', 'primary'],
    ] as const)
      await heartbeat(g, env, role);
    const health = await api('GET', '/api/v1/admin/gateway-health');
    expect(health.status).toBe(200);
    const byName = Object.fromEntries(
      health.body.gateways.map((g: { name: string }) => [g.name, g]),
    ) as Record<string, Record<string, unknown>>;
    expect(byName['gw-npr-primary']).toMatchObject({ healthScore: 1, active: true, heartbeatAgeSeconds: 0 });
    expect(byName['gw-npr-dr']).toMatchObject({ healthScore: 1, active: false, role: 'dr-standby' });
    expect(health.body.failover).toEqual([
      expect.objectContaining({ environment: 'NPR', activeRole: 'primary', epoch: 2 }),
      expect.objectContaining({ environment: 'PRO', activeRole: 'primary', epoch: 0 }),
    ]);
    // gw-pro-dr last beat long ago on the test's clock (several leases have run out since).
    expect(byName['gw-pro-dr']!.healthScore).toBeLessThan(1);

    const text = await scrape();
    // Each series names its organization too: gateway names are unique per organization only.
    const organization = byName['gw-npr-primary']!.organizationId as string;
    expect(organization).toMatch(/^[0-9a-f-]{36}$/);
    const labels = (gateway: string, environment: string, role: string) => ({
      organization,
      gateway,
      environment,
      role,
    });
    expect(metric(text, 'mazevault_gateway_health_score', labels('gw-npr-primary', 'NPR', 'primary'))).toBe(
      1,
    );
    expect(metric(text, 'mazevault_gateway_health_score', labels('gw-pro-dr', 'PRO', 'dr-standby'))).toBe(
      byName['gw-pro-dr']!.healthScore,
    );
    expect(
      metric(text, 'mazevault_gateway_heartbeat_age_seconds', labels('gw-pro-dr', 'PRO', 'dr-standby')),
    ).toBeGreaterThan(180);
    expect(metric(text, 'mazevault_gateway_failover_active', { environment: 'PRO' })).toBe(0);
    expect(
      metric(text, 'mazevault_gateway_tasks_total', { environment: 'NPR', status: 'succeeded' }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      metric(text, 'mazevault_gateway_tasks_total', { environment: 'PRO', status: 'failed' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      metric(text, 'mazevault_gateway_task_duration_seconds_count', {
        environment: 'PRO',
        kind: 'rotate-vault-secret',
      }),
    ).toBe(1);
  });

  it('keeps failover and health to admins, tasks to holders of gateways:manage on the scope, and answers bad input with problems', async () => {
    const password = 'a long enough password';
    for (const [email, role] of [
      ['officer@example.test', 'security-officer'],
      ['dev@example.test', 'developer'],
    ])
      expect((await api('POST', '/api/v1/users', { email, password, role })).status).toBe(201);
    const officer = await login(base, 'officer@example.test', password);
    const developer = await login(base, 'dev@example.test', password);

    for (const [method, path] of [
      ['GET', '/api/v1/admin/gateway-health'],
      ['GET', '/api/v1/admin/failover/NPR'],
      ['POST', '/api/v1/admin/failover/NPR/activate-dr'],
      ['POST', '/api/v1/admin/failover/NPR/failback'],
    ]) {
      const refused = await api(method, path, undefined, officer);
      expect(refused).toMatchObject({ status: 403, body: { code: 'admin_required' } });
      expect((await api(method, path, undefined, developer)).status).toBe(403);
      expect((await call(base, method, path)).status).toBe(401);
    }
    expect((await api('GET', '/api/v1/admin/failover/NPR')).body.epoch).toBe(2);
    expect((await createTask({ kind: 'ping', environment: 'NPR' }, developer)).status).toBe(403);
    expect((await api('GET', '/api/v1/gateways/tasks', undefined, developer)).status).toBe(403);

    for (const path of ['/api/v1/admin/failover/DEV', '/api/v1/admin/failover/npr/activate-dr']) {
      const bad = await api(path.endsWith('activate-dr') ? 'POST' : 'GET', path);
      expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
    }
    for (const body of [
      { kind: 'reboot', environment: 'NPR' },
      { kind: 'ping' },
      { kind: 'rotate-vault-secret', projectId: project.id, environmentId: envId('prod') },
      { kind: 'ping', environment: 'NPR', idempotencyKey: 'has spaces' },
      { kind: 'ping', environment: 'NPR', extra: 1 },
    ])
      expect((await createTask(body)).body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(
      (
        await createTask({
          kind: 'rotate-vault-secret',
          projectId: project.id,
          environmentId: envId('prod'),
          path: '../x',
        })
      ).body,
    ).toMatchObject({ status: 400, code: 'invalid_secret_path' });
    expect((await api('GET', '/api/v1/gateways/tasks?status=running')).status).toBe(400);
    expect((await api('GET', '/api/v1/gateways/tasks/not-a-uuid')).status).toBe(400);
    expect((await poll(gw.nprPrimary, 0)).body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(
      (await gatewayCall(port, gw.nprPrimary, '/api/v1/gateway/tasks/result', { taskId: 'x' })).body,
    ).toMatchObject({ status: 400, code: 'validation_failed' });
    // Task routes are gateway routes: not on the admin port, and not without a client certificate.
    expect((await call(base, 'POST', '/api/v1/gateway/tasks/poll', { body: {} })).status).toBe(404);
    expect(
      (await listenerCall(port, '/api/v1/gateway/tasks/poll', { max: 1 }, { ca: gw.nprPrimary.tls.ca })).body,
    ).toMatchObject({
      code: 'client_certificate_required',
    });
  });

  it('lets a CI API token scoped to one project queue a rotation there and nowhere else', async () => {
    const other = (
      await api('POST', '/api/v1/projects', { slug: 'billing', name: 'Billing', environments: ['prod'] })
    ).body;
    await api('PATCH', '/api/v1/projects/billing/environments/prod', { gatewayEnvironment: 'PRO' });
    const minted = await api('POST', '/api/v1/tokens', {
      name: 'ci-rotation',
      permissions: ['gateways:manage'],
      projectId: project.id,
      expiresInDays: 1,
    });
    expect(minted.status).toBe(201);
    const ci = minted.body.token as string;
    const queued = await createTask(
      { kind: 'rotate-vault-secret', projectId: project.id, environmentId: envId('prod'), path: 'app/db' },
      ci,
    );
    expect(queued).toMatchObject({
      status: 201,
      body: { environment: 'PRO', createdBy: expect.stringMatching(/^api_token:/) },
    });
    expect((await api('GET', `/api/v1/gateways/tasks/${queued.body.id}`, undefined, ci)).body.status).toBe(
      'queued',
    );
    expect(
      (
        await createTask(
          {
            kind: 'rotate-vault-secret',
            projectId: other.id,
            environmentId: other.environments[0].id,
            path: 'app/db',
          },
          ci,
        )
      ).status,
    ).toBe(403);
    expect((await createTask({ kind: 'ping', environment: 'PRO' }, ci)).status).toBe(403);

    // The PRO gateway runs it; a large rotated value (above the listener's default body limit) is taken.
    const leased = (await poll(gw.proPrimary)).body.tasks;
    expect(leased).toEqual([expect.objectContaining({ taskId: queued.body.id })]);
    const value = 'v'.repeat(200_000);
    expect(
      (
        await report(gw.proPrimary, leased[0], {
          kind: 'rotate-vault-secret',
          value,
          keyVaultVersion: 'kv-v8',
        })
      ).body,
    ).toMatchObject({ status: 'succeeded', duplicate: false });
    expect((await secret('prod', 'app/db')).body.value).toBe(value);
  });
  it('never leases one task twice to parallel polls, and changes the epoch once for parallel activations', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await createTask({ kind: 'ping', environment: 'PRO' })).body.id);
    const answers = await Promise.all([
      poll(gw.proPrimary, 2),
      poll(gw.proPrimary, 2),
      poll(gw.proPrimary, 2),
    ]);
    const leased = answers.flatMap((a) => a.body.tasks.map((t: { taskId: string }) => t.taskId));
    expect(leased).toHaveLength(5);
    expect(new Set(leased)).toEqual(ids);

    const changes = await Promise.all(
      [1, 2, 3].map(() => api('POST', '/api/v1/admin/failover/PRO/activate-dr')),
    );
    expect(changes.map((c) => c.body.changed).sort()).toEqual([false, false, true]);
    expect(changes.map((c) => c.body.epoch)).toEqual([1, 1, 1]);
    expect(changes.find((c) => c.body.changed)!.body.requeuedTasks).toBe(5);
    expect((await poll(gw.proDr, 10)).body.tasks).toHaveLength(5);
    expect((await api('POST', '/api/v1/admin/failover/PRO/failback')).body).toMatchObject({
      epoch: 2,
      changed: true,
    });
  });
});
