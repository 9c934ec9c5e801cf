import { mkdirSync } from 'node:fs';

/**
 * PostgreSQL in-process for the dev platform: PGlite (Postgres compiled to WASM) behind a socket
 * server speaking the wire protocol, so TypeORM and `pg` run the same code path as in production.
 * PGlite is single-connection; the socket server queues queries from our (size-1) pool. Every
 * connection shares PGlite's one session, so session state (prepared statements) outlives the
 * connection that created it: the dev platform runs without named prepared statements.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  mkdirSync(dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
