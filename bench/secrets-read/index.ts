// secrets-read: authenticated reads of one secret through the Primary's real HTTP API (API token auth,
// policy decision, envelope decryption, audit event per read), against a bare Fastify route returning a
// fixed body, both measured in this run on this machine. The Primary runs its production entry point
// (apps/api-primary/src/main.ts) in a child process against real PostgreSQL and Redis.
import { randomBytes } from 'node:crypto';
import {
  BARE_FASTIFY_SERVER,
  durationSeconds,
  log,
  printResult,
  requestJson,
  round,
  runLoadWithCpu,
  startBenchPrimary,
  startServerProcess,
} from '../harness';

const BENCH = 'secrets-read';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USAGE = `Usage: npm run bench -- ${BENCH} [--help]

Loads GET /api/v1/projects/bench/environments/prod/secrets/app/db (API token, ${CONNECTIONS} connections)
on the real Primary, then a bare Fastify route, and prints both and their ratio.

Needs PostgreSQL and Redis: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a
scratch database is created and dropped) and TEST_REDIS_URL (default redis://127.0.0.1:6379).
Env: BENCH_DURATION_S (default 10), BENCH_WARMUP_S, BENCH_LOG_LEVEL (Primary LOG_LEVEL, default info),
ACCESS_LOG (the Primary's, default errors).

Last line: {"bench":"${BENCH}","rps":…,"p99_ms":…,"bare_rps":…,"vs_bare":…}`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const primary = await startBenchPrimary(
    'secrets',
    process.env.BENCH_SEAL_MS ? { AUDIT_SEAL_INTERVAL_MS: process.env.BENCH_SEAL_MS } : {},
  );
  let ours;
  try {
    const auth = { authorization: `Bearer ${primary.adminToken}` };
    await requestJson(`${primary.url}/api/v1/projects`, 'POST', { slug: 'bench', name: 'Bench' }, auth);
    const path = `/api/v1/projects/bench/environments/prod/secrets/app/db`;
    await requestJson(
      primary.url + path,
      'PUT',
      { value: { username: 'svc', password: randomBytes(16).toString('hex') } },
      auth,
    );
    const apiToken = await requestJson(
      `${primary.url}/api/v1/tokens`,
      'POST',
      { name: 'bench', permissions: ['secrets:read'] },
      auth,
    );
    log(`Primary pid ${primary.pid}; loading ${CONNECTIONS} connections for ${durationSeconds()} s`);
    ours = await runLoadWithCpu(primary.pid, {
      url: primary.url + path,
      headers: { authorization: `Bearer ${String(apiToken.token)}` },
      connections: CONNECTIONS,
    });
  } finally {
    await primary.stop();
  }

  log('bare Fastify baseline');
  const bare = await startServerProcess(BARE_FASTIFY_SERVER, { label: 'bare-fastify' });
  let baseline;
  try {
    baseline = await runLoadWithCpu(bare.pid, { url: `${bare.url}/`, connections: CONNECTIONS });
  } finally {
    await bare.stop();
  }

  printResult({
    bench: BENCH,
    rps: round(ours.rps),
    p99_ms: round(ours.p99_ms, 2),
    bare_rps: round(baseline.rps),
    vs_bare: round(ours.rps / baseline.rps, 3),
    p50_ms: round(ours.p50_ms, 2),
    // CPU per request of each server process: steadier than req/s when the machine is shared.
    cpu_us: round(ours.cpu_us, 1),
    bare_cpu_us: round(baseline.cpu_us, 1),
    cpu_vs_bare: round(baseline.cpu_us / ours.cpu_us, 3),
    errors: ours.errors,
    non2xx: ours.non2xx,
    connections: CONNECTIONS,
    duration_s: ours.duration_s,
  });
  return ours.errors > 0 || ours.non2xx > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
