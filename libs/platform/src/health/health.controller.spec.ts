import { HealthController } from './health.controller';

function reply() {
  const sent: { status: number; body: unknown } = { status: 0, body: undefined };
  return {
    sent,
    status(code: number) {
      sent.status = code;
      return { send: (body: unknown) => (sent.body = body) };
    },
  };
}

describe('HealthController', () => {
  it('is ready when only a non-critical check is down, shows it degraded, and adds check details', async () => {
    const controller = new HealthController([
      { name: 'database', check: async () => undefined },
      { name: 'redis', critical: false, check: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7')) },
      { name: 'primary', check: async () => undefined, details: () => ({ circuit: 'closed' }) },
    ]);
    const r = reply();
    await controller.health(r);
    expect(r.sent).toEqual({
      status: 200,
      body: {
        status: 'degraded',
        live: true,
        ready: true,
        checks: {
          database: { status: 'up' },
          redis: { status: 'down', error: 'unreachable', critical: false },
          primary: { status: 'up', circuit: 'closed' },
        },
      },
    });
  });

  it('is not ready (503) when a critical check is down', async () => {
    const controller = new HealthController([
      { name: 'database', check: () => Promise.reject(new Error('down')) },
      { name: 'redis', critical: false, check: async () => undefined },
    ]);
    const r = reply();
    await controller.health(r);
    expect(r.sent.status).toBe(503);
    expect(r.sent.body).toMatchObject({ ready: false, checks: { database: { status: 'down' } } });
  });
});
