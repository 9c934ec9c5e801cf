import { Client } from 'pg';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * Concurrent writers of one secret, made to collide for certain: the test holds the secret's row lock
 * from its own transaction while N writers arrive, waits (polling PostgreSQL, not the clock) until all
 * N are blocked, then lets them go at once. The writers' row lock (SELECT … FOR UPDATE) is what turns
 * them into a queue in which each reads the version its predecessor committed; without it all N read
 * the same current version, and the primary key on (secret_id, version) stops all but one with a
 * 409 `conflict` — no lost write, but the check-and-set answer is wrong and plain writes fail.
 */
describe('Primary secrets: concurrent writers of one secret (real PostgreSQL)', () => {
  const WRITERS = 5;
  let primary: PrimaryTestApp;
  let token: string;
  const env = '/api/v1/projects/race/environments/prod';

  beforeAll(async () => {
    primary = await startPrimary('secrets-race');
    token = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    expect(
      (
        await call(primary.baseUrl, 'POST', '/api/v1/projects', {
          token,
          body: { slug: 'race', name: 'Race' },
        })
      ).status,
    ).toBe(201);
  });
  afterAll(() => primary?.close());

  const put = (path: string, body: unknown) =>
    call(primary.baseUrl, 'PUT', `${env}/secrets/${path}`, { token, body });
  const metadata = async (path: string) =>
    (await call(primary.baseUrl, 'GET', `${env}/metadata/${path}`, { token })).body;

  /** Runs `writers` while the test holds the secret's row lock, releasing it once all are blocked. */
  async function collide<T>(path: string, writers: () => Promise<T>[]): Promise<T[]> {
    const holder = new Client({ connectionString: primary.config.DATABASE_URL });
    // Watches from outside the holder's transaction, which would see one frozen pg_stat_activity.
    const watcher = new Client({ connectionString: primary.config.DATABASE_URL });
    await Promise.all([holder.connect(), watcher.connect()]);
    try {
      await holder.query('BEGIN');
      const locked = await holder.query(`SELECT id FROM secrets WHERE path = $1 FOR UPDATE`, [path]);
      expect(locked.rowCount).toBe(1);
      const results = Promise.all(writers());
      // Every writer waits on a lock held in this database (ours, or — without the writers' own row
      // lock — the first writer's uncommitted version row).
      for (;;) {
        const [{ waiting }] = (
          await watcher.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ~ '"secret(s|_versions)"'`,
          )
        ).rows;
        if (waiting >= WRITERS) break;
      }
      await holder.query('COMMIT');
      return await results;
    } finally {
      await Promise.all([holder.end(), watcher.end()]);
    }
  }

  it(`check-and-set: of ${WRITERS} writers expecting the same version, one wins and the others get cas_mismatch`, async () => {
    expect((await put('race/cas', { value: 'v1' })).status).toBe(200);
    const answers = await collide('race/cas', () =>
      Array.from({ length: WRITERS }, (_, n) => put('race/cas', { value: `writer-${n}`, cas: 1 })),
    );

    expect(answers.filter((a) => a.status === 200).map((a) => a.body.version)).toEqual([2]);
    const losers = answers.filter((a) => a.status !== 200);
    expect(losers.map((a) => [a.status, a.body.code])).toEqual(
      Array.from({ length: WRITERS - 1 }, () => [409, 'cas_mismatch']),
    );
    const meta = await metadata('race/cas');
    expect(meta.currentVersion).toBe(2);
    expect(meta.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });

  it(`plain writes: ${WRITERS} concurrent writers each get their own next version`, async () => {
    expect((await put('race/plain', { value: 'v1' })).status).toBe(200);
    const answers = await collide('race/plain', () =>
      Array.from({ length: WRITERS }, (_, n) => put('race/plain', { value: `writer-${n}` })),
    );

    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: WRITERS }, () => 200));
    const versions = answers.map((a) => a.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: WRITERS }, (_, n) => n + 2));
    const meta = await metadata('race/plain');
    expect(meta.currentVersion).toBe(WRITERS + 1);
    expect(meta.versions).toHaveLength(WRITERS + 1);
  });
});
