// The tiny contract between a bench and the server processes it spawns. It lives in its own module so
// server scripts can import it without pulling in the process/load machinery of the harness.

/** Key of the JSON ready line: a server prints `{"listening":<port>}` on stdout once it accepts connections. */
export const READY_KEY = 'listening';

/**
 * Port a bench server should bind. Benches pass PORT=0 by default so the OS picks a free port: parallel
 * runs (CI, two engineers on one box) never collide, and the real port comes back via the ready line.
 */
export function requestedPort(): number {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid PORT=${process.env.PORT}`);
  return port;
}

/** Prints the ready line. Call it only after listen() resolved, so the bench never loads a half-up server. */
export function announceListening(port: number): void {
  process.stdout.write(`${JSON.stringify({ [READY_KEY]: port })}\n`);
}
