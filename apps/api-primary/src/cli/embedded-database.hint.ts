/**
 * What a CLI says when it cannot reach the database `npm start` runs in-process. That database
 * (PGlite behind a private Unix socket, see tools/dev-platform) admits exactly the platform's own
 * two clients: a third would share, and disturb, the single session the Primary runs on. So a CLI
 * is not let in while the platform runs, and nothing serves the data once it stops; the running
 * Primary answers the same question over HTTP.
 */
const EMBEDDED_SOCKET_DIR = /[/\\]mazevault-pg-[^/\\]+$/;

/** True when `url` names the dev platform's embedded database (its socket directory `mazevault-pg-*`). */
export function isEmbeddedDevDatabase(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).searchParams.get('host');
    return host !== null && EMBEDDED_SOCKET_DIR.test(host);
  } catch {
    return false;
  }
}

/** How to do `what` against a running `npm start` instead, through the Primary's API. */
export function embeddedDatabaseHint(apiPath: string): string {
  return [
    "With `npm start` and no DATABASE_URL, the database is embedded and admits only the platform's own two",
    'clients, so no CLI can connect to it. Ask the running Primary instead, as a platform admin:',
    `  curl -s http://127.0.0.1:8080${apiPath} -H "authorization: Bearer $TOKEN"`,
    'or run the platform on a PostgreSQL server of your own (DATABASE_URL=... npm start) and give this',
    'command the same DATABASE_URL and master key (MASTER_KEY, or the key in .mazevault/master.key).',
  ].join('\n');
}
