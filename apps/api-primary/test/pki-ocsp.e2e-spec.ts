import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl, startResponder } from './pki-test-processes';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('OCSP responder against the Primary (real processes, PostgreSQL, Redis, openssl ocsp)', () => {
  let primary: PrimaryTestApp;
  let responder: { url: string; child: ChildProcess };
  let dir: string;
  let token: string;
  let caId: string;
  const path = (name: string) => join(dir, name);

  beforeAll(async () => {
    primary = await startPrimary('pki-ocsp');
    token = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    dir = mkdtempSync(join(tmpdir(), 'mazevault-ocsp-e2e-'));
    const api = (p: string, body: unknown) =>
      call(primary.baseUrl, 'POST', `/api/v1/pki/${p}`, { token, body });
    const root = await api('cas/root', {
      name: 'root',
      subject: { commonName: 'OCSP Test Root' },
      ocspSignerKeyType: 'ecdsa-p256',
    });
    const int = await api('cas/intermediate', {
      name: 'issuing',
      parentId: root.body.id,
      subject: { commonName: 'OCSP Test Issuing' },
      ocspSignerKeyType: 'rsa-2048',
    });
    caId = int.body.id;
    await api('profiles', {
      name: 'svc',
      caId,
      definition: { allowedDomains: ['svc.test'], allowSubdomains: true, maxTtlSeconds: 86400 },
    });
    const leaf = await api('issue', { profile: 'svc', commonName: 'a.svc.test' });
    expect(leaf.status).toBe(201);
    writeFileSync(path('leaf.pem'), leaf.body.certificatePem);
    writeFileSync(path('ca.pem'), int.body.certificatePem);
    writeFileSync(
      path('chain.pem'),
      (await call(primary.baseUrl, 'GET', `/api/v1/pki/ca/${caId}/chain`)).body,
    );
    responder = await startResponder({
      DATABASE_URL: primary.config.DATABASE_URL,
      REDIS_URL: primary.config.REDIS_URL,
      REDIS_KEY_PREFIX: primary.config.REDIS_KEY_PREFIX,
      MASTER_KEY: primary.config.MASTER_KEY!,
      OCSP_REFRESH_SECONDS: '600', // revocations must arrive through Redis, not the poll
    });
  }, 60_000);
  afterAll(async () => {
    responder?.child.kill('SIGTERM');
    await primary?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** openssl's OCSP query for a leaf (`leaf.pem` unless named). */
  const queryFor = (extra: string[] = [], leaf = 'leaf.pem') =>
    openssl([
      'ocsp',
      '-issuer',
      path('ca.pem'),
      '-cert',
      path(leaf),
      '-url',
      responder.url,
      '-CAfile',
      path('chain.pem'),
      ...extra,
    ]).output;
  const query = (extra: string[] = []) => queryFor(extra);

  it('answers good (nonce and pre-signed nonce-less), verified by openssl', () => {
    const withNonce = query();
    expect(withNonce).toContain('Response verify OK');
    expect(withNonce).toContain(`${path('leaf.pem')}: good`);
    expect(withNonce).toMatch(/This Update: .+\n\s+Next Update: .+/);
    const noNonce = query(['-no_nonce']);
    expect(noNonce).toContain('Response verify OK');
    expect(noNonce).toContain(': good');
  });

  it('serves RFC 5019 GET with caching headers, and unauthorized / malformed / 413 as specified', async () => {
    expect(
      openssl([
        'ocsp',
        '-issuer',
        path('ca.pem'),
        '-cert',
        path('leaf.pem'),
        '-no_nonce',
        '-reqout',
        path('req.der'),
      ]).status,
    ).toBe(0);
    const der = readFileSync(path('req.der'));
    const response = await fetch(`${responder.url}/${encodeURIComponent(der.toString('base64'))}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/ocsp-response');
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(response.headers.get('last-modified')).toMatch(/GMT$/);
    writeFileSync(path('resp.der'), Buffer.from(await response.arrayBuffer()));
    const parsed = openssl([
      'ocsp',
      '-respin',
      path('resp.der'),
      '-issuer',
      path('ca.pem'),
      '-cert',
      path('leaf.pem'),
      '-CAfile',
      path('chain.pem'),
      '-no_nonce',
    ]).output;
    expect(parsed).toContain('Response verify OK');
    expect(parsed).toContain(': good');

    // A CA this responder does not serve.
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path('x.key'),
      '-subj',
      '/CN=Foreign CA',
      '-days',
      '2',
      '-out',
      path('x.pem'),
    ]);
    expect(
      openssl(['ocsp', '-issuer', path('x.pem'), '-serial', '0x1234', '-url', responder.url, '-no_nonce'])
        .output,
    ).toMatch(/unauthorized/i);

    const garbage = await fetch(responder.url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: Buffer.from('not der'),
    });
    expect(Buffer.from(await garbage.arrayBuffer())).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]));
    const huge = await fetch(responder.url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: Buffer.alloc(70 * 1024, 0x30),
    });
    expect(huge.status).toBe(413);
    expect((await fetch(`${responder.url}/api/v1/health`)).status).toBe(200);
    const metrics = await (await fetch(`${responder.url}/metrics`)).text();
    expect(metrics).toMatch(/mazevault_ocsp_requests_total\{status="200",outcome="good"/);
    expect(metrics).toContain('mazevault_ocsp_cache_hit_ratio');
    expect(metrics).toContain('mazevault_ocsp_signing_seconds_bucket');
  });

  it('reports revoked (time and reason) within 5 s of a revocation, through Redis invalidation', async () => {
    // Its own leaf: the other tests expect the shared one to stay good.
    const leaf = await call(primary.baseUrl, 'POST', '/api/v1/pki/issue', {
      token,
      body: { profile: 'svc', commonName: 'revoked.svc.test' },
    });
    expect(leaf.status).toBe(201);
    writeFileSync(path('revoked.pem'), leaf.body.certificatePem);
    const queryRevoked = (extra: string[] = []) => queryFor(extra, 'revoked.pem');
    expect(queryRevoked(['-no_nonce'])).toContain(': good'); // cached now
    const revoked = await call(
      primary.baseUrl,
      'POST',
      `/api/v1/pki/certificates/${leaf.body.serial}/revoke`,
      { token, body: { reason: 'keyCompromise' } },
    );
    expect(revoked.status).toBe(200);
    const started = Date.now();
    let output = '';
    while (Date.now() - started < 5000) {
      output = queryRevoked(['-no_nonce']);
      if (output.includes(': revoked')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain(': revoked');
    expect(output).toContain('Response verify OK');
    expect(output).toContain('Reason: keyCompromise');
    expect(output).toMatch(/Revocation Time: /);
    expect(queryRevoked()).toContain(': revoked');
  });
});
