import { AuditEventEntity } from '@mazevault/persistence';
import { Client } from 'pg';
import { AuditKeys, type AuditRow, linkAuditRow, SealedRowWriter } from '@mazevault/audit';
import { AuditSealerService } from '../src/audit/audit-sealer.service';
import { AuditService } from '../src/audit/audit.service';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('Primary audit log (real PostgreSQL)', () => {
  let primary: PrimaryTestApp;
  let adminToken: string;
  const salt = 'tenant-salt-for-audit-tests';

  beforeAll(async () => {
    primary = await startPrimary('audit', { TENANT_SALT: salt });
    adminToken = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
  });
  afterAll(() => primary?.close());

  const events = () => primary.dataSource.getRepository(AuditEventEntity).find({ order: { id: 'ASC' } });

  it('records state changes, denials and logins with masked references and no secrets', async () => {
    const password = 'a very secret password 42';
    const email = `audited-${Date.now()}@example.test`;
    const created = await call(primary.baseUrl, 'POST', '/api/v1/users', {
      token: adminToken,
      body: { email, password, role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const viewerToken = await login(primary.baseUrl, email, password);
    const denied = await call(primary.baseUrl, 'GET', '/api/v1/tokens', { token: viewerToken });
    expect(denied.status).toBe(403);
    await call(primary.baseUrl, 'GET', '/api/v1/users');

    const rows = await events();
    const byAction = (action: string, outcome: string) =>
      rows.filter((r) => r.action === action && r.outcome === outcome);
    const [userCreate] = byAction('user.create', 'success');
    expect(userCreate).toMatchObject({ actorType: 'user', resourceType: 'user' });
    expect(userCreate.resourceRef).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(userCreate.requestId).toBeTruthy();
    expect(byAction('auth.login', 'success').length).toBeGreaterThanOrEqual(2);
    // One naming scheme: a denial keeps the route's action name, or is an `access.deny` naming the permission.
    const tokensDenied = rows.find(
      (r) => r.outcome === 'denied' && (r.details as { permission?: string }).permission === 'tokens:manage',
    );
    expect(tokensDenied?.details).toMatchObject({
      status: 403,
      reason: expect.stringMatching(/no binding grants tokens:manage/),
    });
    expect(
      byAction('access.deny', 'denied').find((r) => (r.details as { status?: number }).status === 401)
        ?.details,
    ).toMatchObject({ status: 401, code: 'unauthenticated' });
    for (const row of rows) expect(row.action).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);

    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(password);
    expect(dump).not.toContain(email);
    expect(dump).not.toContain(viewerToken);
  });

  it('keeps one chain across events sealed on insert, events sealed later, two replicas and a stale head', async () => {
    const audit = primary.app.get(AuditService);
    const first = primary.app.get(AuditSealerService);
    const other = new AuditSealerService(primary.dataSource, primary.config, primary.app.get(AuditKeys));
    const denied = () => call(primary.baseUrl, 'GET', '/api/v1/users'); // group-committed: sealed as inserted
    // Written inside a business transaction: inserted unsealed, sealed by the sealer after commit.
    const inTransaction = (n: number) =>
      primary.dataSource.transaction((manager) =>
        audit.record(
          {
            actorType: 'system',
            action: 'test.tx',
            resourceType: 'test',
            outcome: 'success',
            details: { n, at: new Date(0), skip: undefined },
          },
          manager,
        ),
      );
    const unsealed = async () => (await events()).filter((r) => !r.hash).length;
    await first.sealPending(); // whatever an earlier test left: this one counts its own

    await Promise.all([denied(), denied(), inTransaction(1), denied()]);
    expect(await unsealed()).toBe(1);
    expect(await first.sealPending()).toBe(1);
    await Promise.all([inTransaction(2), denied(), inTransaction(3)]);
    expect(await other.sealPending()).toBe(2); // another replica extends the same head
    await denied();
    expect(await unsealed()).toBe(0);

    // Two replicas writing at once race for the head; the loser of each race links again and retries.
    const replica = new AuditService(primary.dataSource, primary.config, primary.app.get(AuditKeys));
    const direct = (writer: AuditService, n: number) =>
      writer.record({
        actorType: 'system',
        action: 'test.race',
        resourceType: 'test',
        outcome: 'success',
        details: { n },
      });
    await Promise.all(Array.from({ length: 40 }, (_, n) => direct(n % 2 ? audit : replica, n)));
    expect((await events()).filter((r) => r.action === 'test.race' && r.hash)).toHaveLength(40);

    // A replica of an older version sealed without moving the head: the next writer finds the real tip.
    const [{ hash: tip }] = await primary.dataSource.query('SELECT hash FROM audit_chain_head');
    const [{ prev_hash: older }] = await primary.dataSource.query(
      'SELECT prev_hash FROM audit_events WHERE hash = $1',
      [tip],
    );
    await primary.dataSource.query('UPDATE audit_chain_head SET hash = $1', [older]);
    await Promise.all([denied(), inTransaction(4)]);
    expect(await first.sealPending()).toBe(1);
    const sealed = (await events()).filter((r) => r.hash).length;
    expect(sealed).toBe((await events()).length);
    expect(await first.verify()).toMatchObject({ ok: true, verified: sealed });
  });

  it('links a steady stream in one statement per batch, and relinks when another writer forked the head', async () => {
    const audit = primary.app.get(AuditService);
    const sealer = primary.app.get(AuditSealerService);
    const record = (n: number) =>
      audit.record({
        actorType: 'system',
        action: 'test.steady',
        resourceType: 'test',
        outcome: 'success',
        details: { n },
      });
    // The previous test left other writers' events after this one's: it reads the head until it finds
    // its own there (two batches), then writes from memory.
    await record(1);
    await record(2);
    const lastDrawn = async () =>
      BigInt(
        (
          await primary.dataSource.query(
            `SELECT last_value::text AS v FROM pg_sequences WHERE sequencename = 'audit_events_id_seq'`,
          )
        )[0].v as string,
      );
    const drawn = await lastDrawn();
    await record(3);
    const steady = (await events()).filter((r) => r.action === 'test.steady');
    // The third event's id was drawn by the second one's statement: nothing read the head in between.
    expect(BigInt(steady[2].id)).toBeLessThanOrEqual(drawn);

    // A writer that does not move the head (an older replica) links an event after it. The next batch
    // collides on prev_hash, writes nothing, reads the head (which finds the real tip) and links again.
    const [{ hash: head }] = await primary.dataSource.query('SELECT hash FROM audit_chain_head');
    const [{ id }] = await primary.dataSource.query(`SELECT nextval('audit_events_id_seq')::text AS id`);
    const key = await primary.app.get(AuditKeys).active();
    const fork = {
      id,
      occurredAt: new Date(),
      organizationId: null,
      actorType: 'system',
      actorId: null,
      action: 'test.fork',
      resourceType: 'test',
      resourceRef: null,
      outcome: 'success' as const,
      requestId: null,
      details: {},
      keyId: key.id,
    };
    await primary.dataSource.query(
      `INSERT INTO audit_events (id, occurred_at, actor_type, action, resource_type, outcome, details, key_id, prev_hash, hash) VALUES ($1, $2, 'system', 'test.fork', 'test', 'success', '{}', $3, $4, $5)`,
      [id, fork.occurredAt, key.id, head, linkAuditRow(head as string, fork, key.key)],
    );
    await record(4);
    const [afterFork] = await primary.dataSource.query(
      `SELECT prev_hash FROM audit_events WHERE action = 'test.steady' AND details->>'n' = '4'`,
    );
    expect(afterFork.prev_hash).toBe(
      (await primary.dataSource.query(`SELECT hash FROM audit_events WHERE id = $1`, [id]))[0].hash,
    );
    const sealedCount = (await events()).filter((r) => r.hash).length;
    expect(await sealer.verify()).toMatchObject({ ok: true, verified: sealedCount });
  });

  it('under a second writer, reads the head first instead of racing with a stale one, and goes back to one statement once alone', async () => {
    const row = (n: number): AuditRow => ({
      occurred_at: new Date(),
      organization_id: null,
      actor_type: 'system',
      actor_id: null,
      action: 'test.contention',
      resource_type: 'test',
      resource_ref: null,
      outcome: 'success',
      request_id: null,
      details: { n },
    });
    const a = new SealedRowWriter(primary.dataSource, primary.app.get(AuditKeys));
    const b = new SealedRowWriter(primary.dataSource, primary.app.get(AuditKeys));
    // Every statement on a pooled connection, by name (prepared ones have one).
    const spy = jest.spyOn(Client.prototype, 'query');
    const statements = async (write: () => Promise<void>) => {
      spy.mockClear();
      await write();
      return spy.mock.calls.map(([config]) => (config as { name?: string }).name);
    };
    try {
      await a.write([row(1)]);
      expect(await statements(() => a.write([row(2)]))).toEqual(['audit_insert_sealed']); // alone: from memory
      await b.write([row(3)]);
      // b moved the head: a's batch from memory loses, then a reads the head and links again.
      expect(await statements(() => a.write([row(4)]))).toEqual([
        'audit_insert_sealed',
        'audit_read_chain_head',
        'audit_insert_sealed',
      ]);
      await b.write([row(5)]);
      // Still contended: read first, no lost race.
      expect(await statements(() => a.write([row(6)]))).toEqual([
        'audit_read_chain_head',
        'audit_insert_sealed',
      ]);
      // That read showed b's head; this one shows a's own: nobody else writes any more...
      expect(await statements(() => a.write([row(7)]))).toEqual([
        'audit_read_chain_head',
        'audit_insert_sealed',
      ]);
      // ...so the next batch is one statement again.
      expect(await statements(() => a.write([row(8)]))).toEqual(['audit_insert_sealed']);
    } finally {
      spy.mockRestore();
    }
    const all = await events();
    expect(
      all
        .filter((r) => r.action === 'test.contention')
        .map((r) => r.details.n)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await primary.app.get(AuditSealerService).verify()).toMatchObject({ ok: true });
  });

  it('seals events into a hash chain that verifies, and detects an edited row', async () => {
    const sealer = primary.app.get(AuditSealerService);
    // Its own events: one sealed as inserted (a denied request), one inserted unsealed in a transaction.
    await call(primary.baseUrl, 'GET', '/api/v1/users');
    await primary.dataSource.transaction((manager) =>
      primary.app
        .get(AuditService)
        .record(
          { actorType: 'system', action: 'test.seal', resourceType: 'test', outcome: 'success' },
          manager,
        ),
    );
    expect(await sealer.sealPending()).toBeGreaterThan(0);
    const verify = await call(primary.baseUrl, 'GET', '/api/v1/audit/verify', { token: adminToken });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.verified).toBe((await events()).filter((r) => r.hash).length);

    // The table refuses edits and deletes of sealed rows...
    const [first] = await events();
    await expect(
      primary.dataSource.query(`UPDATE audit_events SET action = 'forged' WHERE id = $1`, [first.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      primary.dataSource.query(`DELETE FROM audit_events WHERE id = $1`, [first.id]),
    ).rejects.toThrow(/append-only/);

    // ...so a tamperer with owner rights disables the trigger; the chain still gives them away.
    const rows = await events();
    const victim = rows[Math.floor(rows.length / 2)];
    const setAction = async (action: string) => {
      await primary.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await primary.dataSource.query(`UPDATE audit_events SET action = $2 WHERE id = $1`, [
        victim.id,
        action,
      ]);
      await primary.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    };
    await setAction(`${victim.action}.edited`);
    try {
      const result = await sealer.verify();
      expect(result).toMatchObject({
        ok: false,
        brokenAt: { id: String(victim.id), problem: 'hash_mismatch' },
      });
    } finally {
      await setAction(victim.action); // the chain verifies again for the tests that run after this one
    }
    expect(await sealer.verify()).toMatchObject({ ok: true });
  });
});
