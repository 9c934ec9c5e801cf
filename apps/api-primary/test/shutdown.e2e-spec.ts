import { createPrimaryDataSource } from '@mazevault/persistence';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { randomBytes } from 'node:crypto';
import { type PrimaryProcess, startPrimaryProcess } from './primary-test-app';

/**
 * The production entry point (main.ts) stopped by SIGTERM while requests are in flight, as a rolling
 * update does: every request it accepted is answered (none with a 5xx from a pool or thread already
 * torn down), and the process then ends by the signal.
 */
describe('SIGTERM with requests in flight', () => {
  let database: TestDatabase;
  let primary: PrimaryProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('shutdown');
    const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
  }, 60_000);

  afterAll(async () => {
    const child = primary?.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database?.drop();
  });

  it('answers what it accepted, then exits by the signal', async () => {
    primary = await startPrimaryProcess('shutdown', database.url, { AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    const { base, child, exited } = primary;

    // A failed login hashes a password (scrypt, on the thread pool), then reads PostgreSQL: slow
    // enough to be in flight at the signal, and a 500 if the pool were closed under it.
    const run = randomBytes(4).toString('hex'); // fresh identities: failed logins count in the shared Redis
    let signalledAt = Number.POSITIVE_INFINITY;
    const inFlight = Array.from({ length: 12 }, (_, i) =>
      fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `nobody-${run}-${i}@example.test`, password: 'not the password' }),
        signal: AbortSignal.timeout(20_000),
      }).then(
        (r) => ({ status: r.status as number | string, afterSignal: Date.now() > signalledAt }),
        (error: Error & { cause?: { code?: string } }) => ({
          status: `failed: ${error.cause?.code ?? error.name}`,
          afterSignal: true,
        }),
      ),
    );
    // Once one answer is back, all twelve were sent long ago and are being worked on.
    await Promise.race(inFlight);
    signalledAt = Date.now();
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);

    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(401));
    // The drain was exercised: some answers were still being worked on when the signal came.
    expect(answers.filter((a) => a.afterSignal).length).toBeGreaterThan(0);
    const { signal } = await Promise.race([
      exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('still running 20 s after SIGTERM')), 20_000),
      ),
    ]);
    expect(signal).toBe('SIGTERM');
    expect(primary.output()).not.toMatch(/"level":50/);
  }, 60_000);
});
