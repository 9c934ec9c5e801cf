import { AuditEventEntity } from '@mazevault/persistence';
import { AuditSealerService } from '../src/audit/audit-sealer.service';
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
    const created = await call(primary.baseUrl, 'POST', '/api/v1/users', { token: adminToken, body: { email, password, role: 'viewer' } });
    expect(created.status).toBe(201);
    const viewerToken = await login(primary.baseUrl, email, password);
    const denied = await call(primary.baseUrl, 'GET', '/api/v1/tokens', { token: viewerToken });
    expect(denied.status).toBe(403);
    await call(primary.baseUrl, 'GET', '/api/v1/users');

    const rows = await events();
    const byAction = (action: string, outcome: string) => rows.filter((r) => r.action === action && r.outcome === outcome);
    const [userCreate] = byAction('user.create', 'success');
    expect(userCreate).toMatchObject({ actorType: 'user', resourceType: 'user' });
    expect(userCreate.resourceRef).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(userCreate.requestId).toBeTruthy();
    expect(byAction('auth.login', 'success').length).toBeGreaterThanOrEqual(2);
    const [tokensDenied] = byAction('tokens:manage', 'denied');
    expect(tokensDenied.details).toMatchObject({ status: 403, reason: expect.stringMatching(/no binding grants tokens:manage/) });
    expect(byAction('http.request', 'denied')[0].details).toMatchObject({ status: 401, code: 'unauthenticated' });

    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(password);
    expect(dump).not.toContain(email);
    expect(dump).not.toContain(viewerToken);
  });

  it('keeps one chain when two replicas take turns sealing', async () => {
    const first = primary.app.get(AuditSealerService);
    const other = new (AuditSealerService as new (...args: unknown[]) => AuditSealerService)(primary.dataSource, primary.config);
    const denied = () => call(primary.baseUrl, 'GET', '/api/v1/users');
    await denied();
    expect(await first.sealPending()).toBeGreaterThan(0);
    await denied();
    expect(await first.sealPending()).toBeGreaterThan(0); // its own tip, still the tip
    await denied();
    expect(await other.sealPending()).toBeGreaterThan(0); // a replica that has never sealed finds the tip
    await denied();
    expect(await first.sealPending()).toBeGreaterThan(0); // its remembered tip is stale now
    expect(await first.verify()).toMatchObject({ ok: true, verified: (await events()).filter((r) => r.hash).length });
    await denied(); // something left for the next test to seal
  });

  it('seals events into a hash chain that verifies, and detects an edited row', async () => {
    const sealer = primary.app.get(AuditSealerService);
    expect(await sealer.sealPending()).toBeGreaterThan(0);
    const verify = await call(primary.baseUrl, 'GET', '/api/v1/audit/verify', { token: adminToken });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.verified).toBe((await events()).filter((r) => r.hash).length);

    // The table refuses edits and deletes of sealed rows...
    const [first] = await events();
    await expect(primary.dataSource.query(`UPDATE audit_events SET action = 'forged' WHERE id = $1`, [first.id])).rejects.toThrow(/append-only/);
    await expect(primary.dataSource.query(`DELETE FROM audit_events WHERE id = $1`, [first.id])).rejects.toThrow(/append-only/);

    // ...so a tamperer with owner rights disables the trigger; the chain still gives them away.
    const rows = await events();
    const victim = rows[Math.floor(rows.length / 2)];
    await primary.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await primary.dataSource.query(`UPDATE audit_events SET action = action || '.edited' WHERE id = $1`, [victim.id]);
    await primary.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const result = await sealer.verify();
    expect(result).toMatchObject({ ok: false, brokenAt: { id: String(victim.id), problem: 'hash_mismatch' } });
  });
});
