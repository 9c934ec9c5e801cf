import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The embedded database's clients: the Primary (a pool of one) and the OCSP responder (a pool of
 * one). PGlite has a single session that every connection shares, so a third client — a `pg_dump`
 * that clears `search_path`, a psql that opens a transaction — would change what the Primary's
 * statements see. Exactly these two are let in; anyone else is told "Too many connections". (The dev
 * gateway's database is another PGlite, admitting the gateway's pool.)
 */
export const EMBEDDED_POSTGRES_CLIENTS = 2;

export interface EmbeddedPostgres {
  /** A `postgres://` URL naming the Unix socket (`?host=<dir>`), for `pg` and TypeORM alike. */
  url: string;
  /** Resolves once no client is connected (a short-lived client, e.g. the migration run, has left). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in-process for the dev platform: PGlite (Postgres compiled to WASM) behind a socket
 * server speaking the wire protocol, so TypeORM and `pg` run the same code path as in production.
 * It listens on a Unix socket in a fresh directory only this user can open (mode 0700), not on a
 * loopback port that every local user could reach without a password (PGlite has no authentication).
 * PGlite is single-connection; the socket server queues queries from our (size-1) pool. Every
 * connection shares PGlite's one session, so session state (prepared statements) outlives the
 * connection that created it: the dev platform runs without named prepared statements.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  { maxConnections = EMBEDDED_POSTGRES_CLIENTS, name = 'mazevault-pg' } = {},
): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(dataDir);
  // mkdtemp creates the directory with mode 0700; libpq looks for `<host>/.s.PGSQL.<port>`.
  const socketDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const server = new PGLiteSocketServer({
    db,
    path: join(socketDir, '.s.PGSQL.5432'),
    maxConnections,
  });
  await server.start();
  return {
    // `localhost` keeps the URL parseable everywhere; libpq-style `?host=<dir>` wins and names the socket.
    url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    async idle() {
      for (let i = 0; i < 100 && server.getStats().activeConnections > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      await server.stop();
      await db.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
