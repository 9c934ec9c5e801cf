import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { EMBEDDED_POSTGRES_CLIENTS } from '../src/embedded-postgres';

/**
 * The dev platform's embedded PostgreSQL (real PGlite in a child process — its WASM loader needs
 * the plain Node module system, not Jest's — a real Unix socket, real `pg` clients).
 */
describe('embedded PostgreSQL of the dev platform', () => {
  let dataDir: string;
  let child: ChildProcess;
  let pg: { url: string };
  const clients: Client[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mv-embedded-'));
    const script =
      "require('./tools/dev-platform/src/embedded-postgres.ts').startEmbeddedPostgres(process.argv[1])" +
      '.then((pg) => { console.log(JSON.stringify({ url: pg.url })); process.on("SIGTERM", () => pg.stop().then(() => process.exit(0))); })';
    child = spawn(process.execPath, ['-r', './tools/register.cjs', '-e', script, join(dataDir, 'pgdata')], {
      cwd: join(__dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    pg = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    });
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on a Unix socket only its user can open, not on a loopback port', () => {
    const url = new URL(pg.url);
    const socketDir = url.searchParams.get('host')!;
    expect(socketDir.startsWith('/')).toBe(true);
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(url.port).toBe('');
  });

  it("admits the platform's own clients and refuses a third, which could otherwise disturb their shared session", async () => {
    for (let i = 0; i < EMBEDDED_POSTGRES_CLIENTS; i++) {
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      clients.push(client);
    }
    const intruder = new Client({ connectionString: pg.url, connectionTimeoutMillis: 3000 });
    // What pg_dump does first; it broke every request of the platform (42P01) when let in.
    await expect(
      intruder.connect().then(() => intruder.query("SELECT pg_catalog.set_config('search_path', '', false)")),
    ).rejects.toThrow();
    await intruder.end().catch(() => undefined);
    await clients[0].query('CREATE TABLE IF NOT EXISTS probe (id int)');
    expect((await clients[1].query('SELECT count(*)::int AS n FROM probe')).rows[0].n).toBe(0);
  });
});
