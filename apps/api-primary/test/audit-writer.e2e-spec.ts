import { Logger } from '@nestjs/common';
import { AuditEventEntity } from '@mazevault/persistence';
import { AuditSealerService } from '../src/audit/audit-sealer.service';
import { AuditService } from '../src/audit/audit.service';
import { call, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('audit writer: any content stored, failures fail closed (real PostgreSQL, no TENANT_SALT)', () => {
  let primary: PrimaryTestApp;

  beforeAll(async () => {
    primary = await startPrimary('audit_writer');
  });
  afterAll(() => primary?.close());

  const rowsOf = (action: string) =>
    primary.dataSource.getRepository(AuditEventEntity).find({ where: { action }, order: { id: 'ASC' } });
  const verify = async () => {
    await primary.app.get(AuditSealerService).sealPending();
    return primary.app.get(AuditSealerService).verify();
  };

  it('stores NUL, unpaired surrogates, malformed ids and overlong values instead of failing the event, sealed on insert or in a transaction', async () => {
    const audit = primary.app.get(AuditService);
    const event = {
      organizationId: 'not-a-uuid\u0000',
      actorType: 'anonymous',
      actorId: 'actor\u0000',
      action: 'test.nul',
      resourceType: 'secret',
      resourceRef: `app/a\u0000b/${'x'.repeat(600)}`,
      outcome: 'denied' as const,
      requestId: 'req\u0000\ud800',
      details: { 'path\u0000': '/secrets/a\u0000', nested: [{ lone: '\udc00' }], emoji: '😀' },
    };
    await audit.record(event);
    await primary.dataSource.transaction((manager) =>
      audit.record({ ...event, action: 'test.nul' }, manager),
    );
    const rows = await rowsOf('test.nul');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({
        organizationId: null,
        actorId: 'actor\\u0000',
        requestId: 'req\\u0000\\ud800',
        details: {
          'path\\u0000': '/secrets/a\\u0000',
          nested: [{ lone: '\\udc00' }],
          emoji: '😀',
          invalidOrganizationId: 'not-a-uuid\\u0000',
        },
      });
      expect(row.resourceRef!.startsWith('app/a\\u0000b/xxx')).toBe(true);
      expect(Array.from(row.resourceRef!)).toHaveLength(512);
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('audits a login attempt whose email carries a NUL (a body, not a path: no boundary check stops it)', async () => {
    const response = await call(primary.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: 'someone\u0000@example.test', password: 'whatever it is' },
    });
    // (The user lookup itself refuses the NUL today — a 500 of the auth module's; the event of it is what is tested here.)
    expect(response.body).toMatchObject({ code: expect.not.stringMatching(/^audit_unavailable$/) });
    const rows = await primary.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { requestId: response.headers.get('x-request-id') ?? '' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth.login', resourceRef: 'someone\\u0000@example.test' });
    expect(JSON.stringify(rows)).toContain('someone\\\\u0000@example.test');
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('fails the call closed when its event cannot be written: 500 problem+json without database text, the failure logged', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await primary.dataSource.query(
      `ALTER TABLE audit_events ADD CONSTRAINT test_refuse_requests CHECK (action <> 'access.deny')`,
    );
    try {
      const response = await call(primary.baseUrl, 'GET', '/api/v1/users'); // an audited denial (401)
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        status: 500,
        code: 'audit_unavailable',
        requestId: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/constraint|violates|test_refuse|audit_events/);
      expect(logged).toHaveBeenCalledWith(
        expect.objectContaining({
          err: expect.objectContaining({ message: expect.stringMatching(/test_refuse_requests/) }),
          requestId: response.body.requestId,
        }),
        expect.stringMatching(/audit event not written/),
      );
    } finally {
      await primary.dataSource.query('ALTER TABLE audit_events DROP CONSTRAINT test_refuse_requests');
      logged.mockRestore();
    }
    // Nothing left broken: the next call is audited as usual.
    expect((await call(primary.baseUrl, 'GET', '/api/v1/users')).status).toBe(401);
    expect(await verify()).toMatchObject({ ok: true });
  });
});
