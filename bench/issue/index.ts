// issue: certificates issued per second through the Primary's real HTTP API — POST /api/v1/pki/sign with a
// fixed ECDSA P-256 CSR under a profile of an ECDSA P-256 root, authenticated with an API token holding
// pki:issue (token auth, policy decision, CSR self-signature check, profile + lint, CA key unsealed and used,
// certificate row stored, audit event) — against raw `crypto.sign` P-256 operations per second in this
// process. The Primary runs its production entry point (apps/api-primary/src/main.ts) in a child process on
// a scratch PostgreSQL database and real Redis, like bench/secrets-read.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  durationSeconds,
  log,
  printResult,
  requestJson,
  round,
  runLoadWithCpu,
  startBenchPrimary,
} from '../harness';

const BENCH = 'issue';
// 50, like bench/ocsp and bench/secrets-read: enough concurrent callers to keep both the event loop and
// the issuance worker busy (at 16 the run measures round-trip latency more than capacity).
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USAGE = `Usage: npm run bench -- ${BENCH} [--help]

Creates a root CA (ECDSA P-256) and a profile through the REST API of the real Primary, then loads
POST /api/v1/pki/sign (one fixed ECDSA P-256 CSR, API token with pki:issue, ${CONNECTIONS} connections)
and counts only 2xx answers; then measures raw crypto.sign (ECDSA P-256, SHA-256) per second in this
process, single-threaded, with nothing else running.

Needs PostgreSQL and Redis: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a
scratch database is created and dropped) and TEST_REDIS_URL (default redis://127.0.0.1:6379).
Env: BENCH_DURATION_S (default 10), BENCH_WARMUP_S, BENCH_CONNECTIONS (default 50),
BENCH_LOG_LEVEL (Primary LOG_LEVEL; default: the Primary's own, info), ACCESS_LOG (the Primary's, default errors), BENCH_SERVER_NODE_ARGS (e.g. --cpu-prof).

Last line: {"bench":"${BENCH}","issued_per_s":…,"raw_sign_per_s":…,"vs_raw":…,"cpu_us":…,…} (cpu_us: the Primary's CPU per certificate)`;

/** Raw ECDSA P-256 signatures per second over a certificate-sized TBS, one thread, `seconds` long. */
function rawSignPerSecond(seconds: number): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tbs = randomBytes(600);
  for (let i = 0; i < 200; i++) sign('sha256', tbs, privateKey); // warm-up
  let n = 0;
  const started = process.hrtime.bigint();
  const until = started + BigInt(Math.round(seconds * 1e9));
  let now = started;
  while (now < until) {
    for (let i = 0; i < 50; i++) sign('sha256', tbs, privateKey);
    n += 50;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - started) / 1e9);
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mazevault-bench-issue-'));
  try {
    // One fixed CSR (ECDSA P-256, self-signed request), signed again and again: each answer is a new certificate.
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'csr.key'),
        '-subj',
        '/CN=app.bench.test',
        '-addext',
        'subjectAltName=DNS:app.bench.test',
        '-out',
        join(dir, 'req.csr'),
      ],
      { stdio: 'ignore' },
    );
    const csr = readFileSync(join(dir, 'req.csr'), 'utf8');

    // The Primary as shipped (LOG_LEVEL info, ACCESS_LOG errors) unless BENCH_LOG_LEVEL or ACCESS_LOG
    // say otherwise, as in bench/secrets-read.
    const primary = await startBenchPrimary('issue');
    let ours;
    try {
      const url = primary.url;
      const auth = { authorization: `Bearer ${primary.adminToken}` };
      const ca = await requestJson(
        `${url}/api/v1/pki/cas/root`,
        'POST',
        {
          name: 'bench-root',
          subject: { commonName: 'Bench Root' },
          keyType: 'ecdsa-p256',
          ttlSeconds: 365 * 86400,
        },
        auth,
      );
      await requestJson(
        `${url}/api/v1/pki/profiles`,
        'POST',
        {
          name: 'bench',
          caId: ca.id,
          definition: {
            allowedDomains: ['bench.test'],
            allowSubdomains: true,
            maxTtlSeconds: 30 * 86400,
            allowedSanTypes: ['dns'],
          },
        },
        auth,
      );
      const apiToken = await requestJson(
        `${url}/api/v1/tokens`,
        'POST',
        { name: 'bench-issue', permissions: ['pki:issue'] },
        auth,
      );
      const headers = {
        authorization: `Bearer ${String(apiToken.token)}`,
        'content-type': 'application/json',
      };
      const body = JSON.stringify({ profile: 'bench', csr, ttlSeconds: 7 * 86400 });
      const probe = await requestJson(`${url}/api/v1/pki/sign`, 'POST', JSON.parse(body), headers);
      if (!probe.serial) throw new Error(`sign answered without a serial: ${JSON.stringify(probe)}`);
      log(
        `Primary pid ${primary.pid}; POST /api/v1/pki/sign, ${CONNECTIONS} connections for ${durationSeconds()} s`,
      );
      ours = await runLoadWithCpu(primary.pid, {
        url: `${url}/api/v1/pki/sign`,
        method: 'POST',
        headers,
        body,
        connections: CONNECTIONS,
      });
      log(
        `issued: ${round(ours.rps, 1)}/s (2xx only), p99 ${ours.p99_ms} ms, non2xx ${ours.non2xx}, errors ${ours.errors}`,
      );
    } finally {
      await primary.stop();
    }

    // autocannon's average counts every answer; only successful issuances count here.
    const issuedPerSecond =
      ours.total > 0 ? (ours.rps * Math.max(0, ours.total - ours.non2xx)) / ours.total : 0;
    log('raw crypto.sign ECDSA P-256 in this process');
    const raw = rawSignPerSecond(Math.min(3, durationSeconds()));
    log(`raw: ${round(raw)} signatures/s`);

    printResult({
      bench: BENCH,
      issued_per_s: round(issuedPerSecond, 1),
      raw_sign_per_s: round(raw),
      vs_raw: round(issuedPerSecond / raw, 4),
      p99_ms: round(ours.p99_ms, 2),
      p50_ms: round(ours.p50_ms, 2),
      // CPU of the Primary (all its threads) per request: steadier than req/s on a shared box.
      cpu_us: round(ours.cpu_us, 1),
      errors: ours.errors,
      non2xx: ours.non2xx,
      connections: CONNECTIONS,
      duration_s: ours.duration_s,
    });
    return ours.errors > 0 || ours.non2xx > 0 ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
