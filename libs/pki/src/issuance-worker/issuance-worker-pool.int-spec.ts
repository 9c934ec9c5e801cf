import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCertificate } from '../certificate';
import type { CertificateAuthority } from '../certificate-authority';
import { defineProfile } from '../certificate-profile';
import { createCsr } from '../certification-request';
import { bytesEqual, integerHex } from '../der-encoding';
import { issueFromCsr, renewCertificate } from '../issuance';
import { importPkcs8 } from '../key-type';
import { PkiError } from '../pki-error';
import { verifySignature } from '../signature-algorithm';
import type { Signer } from '../signer';
import { FakeClock } from '../testing/fake-clock';
import { DAY, testHierarchy } from '../testing/fixtures';
import { openssl, scratchDir } from '../testing/openssl';
import { testSigner } from '../testing/test-keys';
import { IssuanceWorkerPool, moduleHookArgs } from './issuance-worker-pool';

// Jest loads TypeScript through its own transform; the worker threads load it through the SWC hook
// the apps run with.
const execArgv = ['--require', join(__dirname, '..', '..', '..', '..', 'tools', 'register.cjs')];

const dir = scratchDir('mazevault-pool-');
const profile = defineProfile({
  name: 'services',
  maxTtlSeconds: 90 * DAY,
  allowedDomains: ['svc.internal'],
  allowSubdomains: true,
  allowedSanTypes: ['dns'],
  extendedKeyUsages: ['serverAuth'],
});
const urls = { ocspUrls: ['http://ocsp.pki.test'], crlDistributionPoints: ['http://pki.test/issuing.crl'] };

let clock: FakeClock;
let root: CertificateAuthority;
let ca: CertificateAuthority;
let pool: IssuanceWorkerPool;
let csrPem: string;

beforeAll(async () => {
  clock = new FakeClock(new Date('2026-11-01T00:00:00Z'));
  ({ root, intermediate: ca } = await testHierarchy(clock, { label: 'pool' }));
  csrPem = (
    await createCsr({
      signer: await testSigner('ecdsa-p256', 'pool-leaf'),
      subject: { commonName: 'api.svc.internal' },
      altNames: { dns: ['api.svc.internal'] },
    })
  ).pem;
  pool = new IssuanceWorkerPool({ size: 2, execArgv });
});
afterAll(async () => {
  await pool.close();
  dir.cleanup();
});

/** The pool's own threads, to break one on purpose. */
function threadsOf(target: IssuanceWorkerPool): { thread: { terminate(): Promise<number> } }[] {
  return (
    target as unknown as { workers: ({ thread: { terminate(): Promise<number> } } | undefined)[] }
  ).workers.filter((w) => w !== undefined);
}

describe('IssuanceWorkerPool', () => {
  it('issues on a worker what the calling thread would: same CA, names, validity; openssl verifies it', async () => {
    const context = { ca, profile, clock, urls, csr: csrPem, ttlSeconds: 7 * DAY };
    const [viaPool, inline] = await Promise.all([pool.issueFromCsr(context), issueFromCsr(context)]);
    expect(threadsOf(pool)).toHaveLength(1);

    expect(viaPool.certificate.notBefore).toEqual(inline.certificate.notBefore);
    expect(viaPool.certificate.notAfter).toEqual(inline.certificate.notAfter);
    expect(viaPool.certificate.altNames).toEqual(inline.certificate.altNames);
    expect(viaPool.certificate.commonNames).toEqual(['api.svc.internal']);
    expect(viaPool.chainPem).toBe(inline.chainPem);
    expect(viaPool.certificate.serialNumber).not.toBe(inline.certificate.serialNumber);
    // The lazily decoded pkijs object is the certificate that was sent back.
    const decoded = viaPool.certificate.certificate;
    expect(integerHex(decoded.serialNumber)).toBe(viaPool.certificate.serialNumber);
    expect(
      bytesEqual(
        new Uint8Array(decoded.issuer.toSchema().toBER()),
        new Uint8Array(ca.certificate.subject.toSchema().toBER()),
      ),
    ).toBe(true);
    expect(
      await verifySignature(
        ca.certificate.subjectPublicKeyInfo,
        decoded.signatureAlgorithm,
        new Uint8Array(decoded.tbsView),
        decoded.signatureValue,
      ),
    ).toBe(true);

    const chain = dir.write('chain.pem', `${ca.pem}${root.pem}`);
    const leaf = dir.write('leaf.pem', viaPool.certificate.pem);
    const verified = openssl([
      'verify',
      '-attime',
      String(clock.now().getTime() / 1000 + 3600),
      '-CAfile',
      chain,
      leaf,
    ]);
    expect(verified.stdout).toContain(': OK');
  });

  it('returns a generated key once, matching the certificate', async () => {
    const result = await pool.issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['gen.svc.internal'] },
    });
    expect(result.privateKeyPkcs8).toBeInstanceOf(ArrayBuffer);
    const { keyPair } = await importPkcs8(result.privateKeyPkcs8!);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
    const certified = new Uint8Array(
      parseCertificate(result.certificate.der).subjectPublicKeyInfo.toSchema().toBER(),
    );
    expect(bytesEqual(spki, certified)).toBe(true);
  });

  it('renews and rekeys on a worker thread, as the calling thread would', async () => {
    const own = new IssuanceWorkerPool({ size: 1, execArgv });
    try {
      const original = await issueFromCsr({ ca, profile, clock, urls, csr: csrPem, ttlSeconds: 7 * DAY });
      const context = { ca, profile, clock, urls, certificate: original.certificate.der };
      const [renewed, inline] = await Promise.all([own.renewCertificate(context), renewCertificate(context)]);
      // The job went to the thread (it started one), not to the calling thread.
      expect(threadsOf(own)).toHaveLength(1);
      expect(own.inFlight).toBe(0);
      const spki = (der: Uint8Array) =>
        new Uint8Array(parseCertificate(der).subjectPublicKeyInfo.toSchema().toBER());
      expect(bytesEqual(spki(renewed.certificate.der), spki(original.certificate.der))).toBe(true);
      expect(renewed.certificate.altNames).toEqual(original.certificate.altNames);
      expect(renewed.certificate.notAfter).toEqual(inline.certificate.notAfter);
      expect(renewed.certificate.serialNumber).not.toBe(original.certificate.serialNumber);

      const rekeyed = await own.rekeyCertificate({ ...context, keyType: 'ecdsa-p256' });
      expect(rekeyed.privateKeyPkcs8).toBeInstanceOf(ArrayBuffer);
      expect(bytesEqual(spki(rekeyed.certificate.der), spki(original.certificate.der))).toBe(false);
      expect(rekeyed.certificate.altNames).toEqual(original.certificate.altNames);
      const sameKey = await own
        .rekeyCertificate({ ...context, csr: csrPem })
        .catch((error: unknown) => error);
      expect(sameKey).toBeInstanceOf(PkiError);
    } finally {
      await own.close();
    }
  });

  it('keeps PkiError codes and details across the thread boundary', async () => {
    const outside = (
      await createCsr({
        signer: await testSigner('ecdsa-p256', 'pool-leaf'),
        subject: { commonName: 'evil.example.com' },
      })
    ).pem;
    const refused = await pool
      .issueFromCsr({ ca, profile, clock, csr: outside })
      .catch((error: unknown) => error);
    const expected = await issueFromCsr({ ca, profile, clock, csr: outside }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PkiError);
    expect(expected).toBeInstanceOf(PkiError);
    expect((refused as PkiError).code).toBe((expected as PkiError).code);
    expect((refused as PkiError).message).toBe((expected as PkiError).message);
    expect((refused as PkiError).details).toEqual((expected as PkiError).details);

    const garbage = await pool
      .issueFromCsr({ ca, profile, clock, csr: 'not a csr' })
      .catch((error: unknown) => error);
    expect(garbage).toBeInstanceOf(PkiError);
    expect((garbage as PkiError).code).toMatch(/malformed/);
  });

  it('issues on the calling thread for a signer whose key is not in this process', async () => {
    const remote = await testSigner('ecdsa-p256', 'pool-intermediate');
    let signedHere = 0;
    const remoteSigner: Signer = {
      algorithm: remote.algorithm,
      publicKey: remote.publicKey,
      sign: (data) => {
        signedHere++;
        return remote.sign(data);
      },
    };
    const remoteCa: CertificateAuthority = { ...ca, signer: remoteSigner };
    const result = await pool.issueFromCsr({ ca: remoteCa, profile, clock, csr: csrPem });
    expect(signedHere).toBe(1);
    expect(result.certificate.commonNames).toEqual(['api.svc.internal']);
  });

  it('replaces a thread that died: its jobs fail with a clear error, the next ones succeed', async () => {
    const failures: Error[] = [];
    const own = new IssuanceWorkerPool({
      size: 1,
      execArgv,
      onThreadFailure: (error) => failures.push(error),
    });
    try {
      await own.issueFromCsr({ ca, profile, clock, csr: csrPem });
      expect(own.inFlight).toBe(0);
      const [worker] = threadsOf(own);
      const inFlight = own.issueFromCsr({ ca, profile, clock, csr: csrPem }).catch((error: unknown) => error);
      expect(own.inFlight).toBe(1);
      await worker!.thread.terminate();
      expect(failures.map((f) => f.message)).toEqual(['issuance worker exited (code 1)']);
      const failed = await inFlight;
      // Either it finished before the thread ended, or it failed saying why.
      if (failed instanceof Error) expect(failed.message).toMatch(/issuance worker exited/);
      else expect(failed).toHaveProperty('certificate');
      // A fresh thread gets the CA again (it does not know it) and issues.
      const again = await own.issueFromCsr({ ca, profile, clock, csr: csrPem });
      expect(again.certificate.commonNames).toEqual(['api.svc.internal']);
    } finally {
      await own.close();
    }
    // Closing the pool is not a failure.
    expect(failures).toHaveLength(1);
  });

  it('sends a profile again when the thread has dropped it (it keeps a bounded number)', async () => {
    const own = new IssuanceWorkerPool({ size: 1, execArgv });
    try {
      const first = defineProfile({
        name: 'p-0',
        maxTtlSeconds: 90 * DAY,
        allowedDomains: ['svc.internal'],
        allowSubdomains: true,
        allowedSanTypes: ['dns'],
      });
      await own.issueFromCsr({ ca, profile: first, clock, csr: csrPem });
      // 600 more profiles overflow the thread's table (512), which then starts over without `first`.
      for (let i = 1; i <= 600; i++) {
        const profileN = { ...first, name: `p-${i}` };
        await own.issueFromCsr({ ca, profile: profileN, clock, csr: csrPem });
      }
      const again = await own.issueFromCsr({ ca, profile: first, clock, csr: csrPem, ttlSeconds: 3 * DAY });
      expect(again.certificate.notAfter.getTime() - clock.now().getTime()).toBe(3 * DAY * 1000);
    } finally {
      await own.close();
    }
  }, 30_000);

  it('with size 0 issues on the calling thread', async () => {
    const none = new IssuanceWorkerPool({ size: 0 });
    const result = await none.issueFromCsr({ ca, profile, clock, csr: csrPem });
    expect(threadsOf(none)).toHaveLength(0);
    expect(result.certificate.commonNames).toEqual(['api.svc.internal']);
  });
});

describe('IssuanceWorkerPool in a script', () => {
  it('keeps the process alive while a job is out, and lets it exit when idle without close()', () => {
    // A pool left open must neither hang a CLI nor let it exit before its answer arrives.
    const script = `
      const { IssuanceWorkerPool, systemClock, defineProfile, createCsr } = require('./libs/pki/src/index.ts');
      const { testHierarchy } = require('./libs/pki/src/testing/fixtures.ts');
      const { testSigner } = require('./libs/pki/src/testing/test-keys.ts');
      (async () => {
        const { intermediate: ca } = await testHierarchy(systemClock, { label: 'script' });
        const profile = defineProfile({ name: 's', maxTtlSeconds: 86400, allowedDomains: ['svc.internal'], allowSubdomains: true, allowedSanTypes: ['dns'] });
        const csr = (await createCsr({ signer: await testSigner('ecdsa-p256', 'script-leaf'), subject: { commonName: 'a.svc.internal' } })).pem;
        const pool = new IssuanceWorkerPool({ size: 1 });
        const result = await pool.issueFromCsr({ ca, profile, clock: systemClock, csr });
        process.stdout.write('issued ' + result.certificate.serialNumber + '\\n');
      })();`;
    const root = join(__dirname, '..', '..', '..', '..');
    const run = spawnSync(process.execPath, [...execArgv, '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^issued [0-9a-f]+\n$/);
    expect(run.status).toBe(0);
  }, 70_000);
});

describe('moduleHookArgs', () => {
  it('keeps module hooks (both spellings) and drops process-wide and V8 flags', () => {
    expect(
      moduleHookArgs([
        '--max-old-space-size=512',
        '-r',
        './tools/register.cjs',
        '--cpu-prof',
        '--require=/x/hook.cjs',
        '--import',
        'tsx',
        '--inspect',
      ]),
    ).toEqual(['-r', './tools/register.cjs', '--require=/x/hook.cjs', '--import', 'tsx']);
    expect(moduleHookArgs([])).toEqual([]);
  });
});
