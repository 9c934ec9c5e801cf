// ocsp: our responder vs OpenSSL's own (`openssl ocsp -index ... -port`) over the same CA, the same RSA-2048
// delegated signer and the same certificates, loaded with the same nonce-less POST; plus ours vs a bare
// node:http server, and our figure with an ECDSA P-256 signer.
import { EnvMasterKeyProvider, MasterKeyRing, sealPrivateKey } from '@mazevault/crypto';
import { createPrimaryDataSource } from '@mazevault/persistence';
import {
  certIdFor,
  createRootCa,
  issueOcspSigner,
  type KeyType,
  pemEncode,
  systemClock,
} from '@mazevault/pki';
import { createTestDatabase } from '@mazevault/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BARE_NODE_SERVER,
  durationSeconds,
  log,
  printResult,
  round,
  runLoad,
  startServerProcess,
  withCpu,
} from '../harness';
import { track } from '../harness/children';

const BENCH = 'ocsp';
const CONNECTIONS = 50;
const CERTS = 200;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`Usage: npm run bench -- ${BENCH}

Creates a scratch database with two CAs (RSA-2048 and ECDSA P-256 delegated OCSP signers, ${CERTS} certificates
each), then measures with autocannon (${CONNECTIONS} connections, the same nonce-less POST for every target):
apps/ocsp-responder (RSA signer, then ECDSA signer; its cache hit ratio is read from /metrics afterwards), a bare
node:http server answering the same request with a constant body of the responder's exact answer bytes
(vs_bare), the harness's bare node:http GET baseline for reference (vs_bare_get), and \`openssl ocsp -index -port\`
with the same RSA signer (fresh process per run, no warm-up probe: it serves one HTTP/1.0 request at a time and
can be wedged by an idle connection, openssl/openssl#31129).
Env: BENCH_DURATION_S, BENCH_WARMUP_S, TEST_DATABASE_URL, BENCH_SERVER_NODE_ARGS (e.g. --cpu-prof),
OCSP_BENCH_SERVER (responder entry point to measure instead of apps/ocsp-responder/src/main.ts, for A/B runs).
Last line: {"bench":"ocsp","rps":…,"p99_ms":…,"openssl_rps":…,"bare_rps":…,"vs_openssl":…,"vs_bare":…,…}`);
  process.exit(0);
}

async function requestDer(issuer: pkijs.Certificate, serial: string): Promise<Buffer> {
  const certId = await certIdFor(issuer, serial);
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [
    new pkijs.Request({
      reqCert: new pkijs.CertID({ schema: asn1js.fromBER(new Uint8Array(certId.der)).result }),
    }),
  ];
  return Buffer.from(request.toSchema(true).toBER());
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const opensslTime = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mazevault-bench-ocsp-'));
  const database = await createTestDatabase('bench-ocsp');
  try {
    const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const masterKey = randomBytes(32).toString('base64');
    const masters = new MasterKeyRing(new EnvMasterKeyProvider({ value: masterKey }));
    const org = randomUUID();
    const setups: Record<
      string,
      { request: string; caPem: string; signerPem: string; signerKeyPem: string; index: string }
    > = {};
    for (const [name, signerType] of [
      ['rsa', 'rsa-2048'],
      ['ecdsa', 'ecdsa-p256'],
    ] as [string, KeyType][]) {
      const root = await createRootCa({
        keyType: 'ecdsa-p256',
        subject: { commonName: `Bench CA ${name}` },
        ttlSeconds: 86400 * 30,
        clock: systemClock,
      });
      const signer = await issueOcspSigner({ ca: root.ca, clock: systemClock, keyType: signerType });
      const id = randomUUID();
      const caKey = await sealPrivateKey(
        new Uint8Array(root.privateKeyPkcs8!),
        { kind: 'ca', ownerId: id },
        masters,
      );
      const signerKey = await sealPrivateKey(
        new Uint8Array(signer.privateKeyPkcs8!),
        { kind: 'ocsp-signer', ownerId: id },
        masters,
      );
      await dataSource.query(
        `INSERT INTO certificate_authorities (id, organization_id, name, kind, key_type, status, certificate_der, certificate_pem, sealed_private_key, master_key_id, not_after, ocsp_signer_der, ocsp_signer_sealed_key, ocsp_signer_not_after)
         VALUES ($1, $2, $3, 'root', 'ecdsa-p256', 'active', $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          id,
          org,
          name,
          Buffer.from(root.certificate.der),
          root.certificate.pem,
          caKey.sealed,
          caKey.masterKeyId,
          root.certificate.notAfter,
          Buffer.from(signer.certificate.der),
          signerKey.sealed,
          signer.certificate.notAfter,
        ],
      );
      const expiry = new Date(Date.now() + 86400_000);
      const lines: string[] = [];
      const serials: string[] = [];
      for (let i = 0; i < CERTS; i++) {
        const serial = '7' + randomBytes(15).toString('hex').slice(1);
        serials.push(serial);
        await dataSource.query(
          `INSERT INTO certificates (ca_id, serial, organization_id, not_before, not_after, der) VALUES ($1, $2, $3, now(), $4, '\\x00')`,
          [id, serial, org, expiry],
        );
        lines.push(`V\t${opensslTime(expiry)}\t\t${serial.toUpperCase()}\tunknown\t/CN=cert-${i}`);
      }
      const requestFile = join(dir, `${name}.req.der`);
      writeFileSync(requestFile, await requestDer(root.ca.certificate, serials[0]!));
      setups[name] = {
        request: requestFile,
        caPem: root.certificate.pem,
        signerPem: signer.certificate.pem,
        signerKeyPem: pemEncode('PRIVATE KEY', new Uint8Array(signer.privateKeyPkcs8!)),
        index: lines.join('\n') + '\n',
      };
    }
    await dataSource.destroy();
    const duration = durationSeconds();
    const load = (url: string, name: string, warmupSeconds?: number) => {
      process.env.OCSP_BENCH_REQUEST_FILE = setups[name]!.request;
      return runLoad({
        url,
        connections: CONNECTIONS,
        requestsModule: 'bench/ocsp/requests.ts',
        ...(warmupSeconds !== undefined && { warmupSeconds }),
      });
    };

    log('apps/ocsp-responder');
    const ours = await startServerProcess(
      process.env.OCSP_BENCH_SERVER ?? 'apps/ocsp-responder/src/main.ts',
      {
        label: 'ocsp-responder',
        env: {
          DATABASE_URL: database.url,
          MASTER_KEY: masterKey,
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          OCSP_REFRESH_SECONDS: '600',
          REDIS_URL: '',
        },
      },
    );
    let rsa, ecdsa, hitRatio: number;
    const answerFile = join(dir, 'rsa.answer.der');
    try {
      // The answer the responder gives to the benched request: the bare baseline returns these same bytes.
      const answer = await fetch(`${ours.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: readFileSync(setups.rsa!.request),
      });
      if (answer.status !== 200) throw new Error(`responder answered ${answer.status}`);
      writeFileSync(answerFile, Buffer.from(await answer.arrayBuffer()));
      rsa = await withCpu(ours.pid, () => load(`${ours.url}/`, 'rsa'));
      log(
        `ours (RSA-2048 signer): ${round(rsa.rps)} rps, p99 ${rsa.p99_ms} ms, ${round(rsa.cpu_us, 1)} µs CPU/request`,
      );
      ecdsa = await withCpu(ours.pid, () => load(`${ours.url}/`, 'ecdsa'));
      log(
        `ours (ECDSA P-256 signer): ${round(ecdsa.rps)} rps, p99 ${ecdsa.p99_ms} ms, ${round(ecdsa.cpu_us, 1)} µs CPU/request`,
      );
      // Confirm the hot path was taken: the responder's own cache hit ratio over both runs.
      const metrics = await (await fetch(`${ours.url}/metrics`)).text();
      const gauge = (name: string) =>
        Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
      hitRatio = gauge('mazevault_ocsp_cache_hit_ratio');
      log(
        `cache: ${gauge('mazevault_ocsp_cache_hits_total')} hits, ${gauge('mazevault_ocsp_cache_misses_total')} misses, hit ratio ${hitRatio}`,
      );
    } finally {
      await ours.stop();
    }

    log(
      `bare node:http, same POST request, constant body = the responder's answer (${statSync(answerFile).size} bytes)`,
    );
    const bareServer = await startServerProcess('bench/ocsp/bare-server.ts', {
      label: 'bare-node-ocsp',
      env: { OCSP_BENCH_BODY_FILE: answerFile },
    });
    const bare = await withCpu(bareServer.pid, () => load(`${bareServer.url}/`, 'rsa')).finally(() =>
      bareServer.stop(),
    );
    log(
      `bare (same request/answer): ${round(bare.rps)} rps, p99 ${bare.p99_ms} ms, ${round(bare.cpu_us, 1)} µs CPU/request`,
    );

    log('bare node:http, harness baseline (GET, 11-byte body), for reference');
    const bareGetServer = await startServerProcess(BARE_NODE_SERVER, { label: 'bare-node' });
    const bareGet = await runLoad({ url: `${bareGetServer.url}/`, connections: CONNECTIONS }).finally(() =>
      bareGetServer.stop(),
    );
    log(`bare (GET, tiny body): ${round(bareGet.rps)} rps, p99 ${bareGet.p99_ms} ms`);

    log('openssl ocsp -index (same CA, same RSA-2048 signer, same certificates), fresh process, no warm-up');
    const s = setups.rsa!;
    const files = {
      index: join(dir, 'index.txt'),
      ca: join(dir, 'ca.pem'),
      signer: join(dir, 'signer.pem'),
      key: join(dir, 'signer.key'),
    };
    writeFileSync(files.index, s.index);
    writeFileSync(files.ca, s.caPem);
    writeFileSync(files.signer, s.signerPem);
    writeFileSync(files.key, s.signerKeyPem);
    const port = await freePort();
    const child = spawn(
      'openssl',
      [
        'ocsp',
        '-index',
        files.index,
        '-port',
        String(port),
        '-rsigner',
        files.signer,
        '-rkey',
        files.key,
        '-CA',
        files.ca,
        '-nmin',
        '60',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(child);
    // Ready when it says ACCEPT — never by a TCP probe, which can wedge it.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), 3000);
      const onData = (d: Buffer) => {
        if (/ACCEPT|Waiting/i.test(d.toString())) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`openssl ocsp exited ${code}`)));
    });
    let openssl;
    try {
      openssl = await withCpu(child.pid!, () => load(`http://127.0.0.1:${port}/`, 'rsa', 0));
    } finally {
      child.kill('SIGKILL');
    }
    log(
      `openssl: ${round(openssl.rps)} rps, p99 ${openssl.p99_ms} ms, errors ${openssl.errors}, ${round(openssl.cpu_us, 1)} µs CPU/request`,
    );

    printResult({
      bench: BENCH,
      rps: round(rsa.rps),
      p99_ms: round(rsa.p99_ms, 2),
      openssl_rps: round(openssl.rps),
      bare_rps: round(bare.rps),
      vs_openssl: round(rsa.rps / Math.max(openssl.rps, 1), 2),
      vs_bare: round(rsa.rps / bare.rps, 3),
      bare_p99_ms: round(bare.p99_ms, 2),
      bare_get_rps: round(bareGet.rps),
      vs_bare_get: round(rsa.rps / bareGet.rps, 3),
      cache_hit_ratio: round(hitRatio, 4),
      // Server CPU per request (µs of one core): steadier than rps when the machine is shared.
      cpu_us: round(rsa.cpu_us, 1),
      bare_cpu_us: round(bare.cpu_us, 1),
      openssl_cpu_us: round(openssl.cpu_us, 1),
      cpu_vs_bare: round(bare.cpu_us / rsa.cpu_us, 3),
      cpu_vs_openssl: round(openssl.cpu_us / rsa.cpu_us, 2),
      ecdsa_rps: round(ecdsa.rps),
      ecdsa_p99_ms: round(ecdsa.p99_ms, 2),
      openssl_p99_ms: round(openssl.p99_ms, 2),
      errors: rsa.errors + ecdsa.errors,
      non2xx: rsa.non2xx + ecdsa.non2xx,
      connections: CONNECTIONS,
      duration_s: duration,
    });
    return rsa.errors > 0 || rsa.non2xx > 0 ? 1 : 0;
  } finally {
    await database.drop();
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
