// http-baseline: the ceiling for HTTP benches on this machine. Runs the bare Fastify server (no Nest, no
// auth, no DB) in a child process and loads it with autocannon from another. Real benches report their
// numbers next to this one, measured in the same run, instead of against a number from another box/day.
import {
  BARE_FASTIFY_SERVER,
  durationSeconds,
  log,
  printResult,
  round,
  runLoad,
  startServerProcess,
} from '../harness';

const BENCH = 'http-baseline';
const CONNECTIONS = 50;

const USAGE = `Usage: npm run bench -- ${BENCH} [--help]

Starts a bare Fastify server (bench/harness/bare-server.ts, GET / -> fixed JSON) in a child process and
loads it with autocannon (${CONNECTIONS} connections) from a separate child process.

Env:
  BENCH_DURATION_S  measured seconds (default 10)
  BENCH_WARMUP_S    warm-up seconds before measuring, discarded (default 1, or 0 when duration < 5 s)

Output: progress lines, then a final JSON line:
  {"bench":"${BENCH}","rps":<req/s>,"p99_ms":<ms>,...}
Exit code 1 if any request failed or returned non-2xx (the number would not be a valid baseline).`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }

  log(`starting bare Fastify server (${process.version}, ${BENCH})`);
  const server = await startServerProcess(BARE_FASTIFY_SERVER, { label: 'bare-fastify' });
  try {
    log(
      `server pid ${server.pid} at ${server.url}; loading ${CONNECTIONS} connections for ${durationSeconds()} s`,
    );
    const r = await runLoad({ url: `${server.url}/`, connections: CONNECTIONS });
    await server.stop();
    printResult({
      bench: BENCH,
      rps: round(r.rps),
      p99_ms: round(r.p99_ms, 2),
      p50_ms: round(r.p50_ms, 2),
      errors: r.errors,
      non2xx: r.non2xx,
      total: r.total,
      connections: r.connections,
      duration_s: r.duration_s,
    });
    return r.errors > 0 || r.non2xx > 0 ? 1 : 0;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
