import { maskReference } from '@mazevault/crypto';
import { AuditEventEntity, CertificateAuthorityEntity } from '@mazevault/persistence';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { OcspSignerRenewalService } from '../src/pki/ocsp-signer-renewal.service';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** The real openssl CLI checks what the PKI API serves (an implementation independent of ours). */
function openssl(args: string[], input?: string): { status: number; output: string } {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status ?? -1, output: `${result.stdout ?? ''}\n${result.stderr ?? ''}` };
}

describe('Primary PKI API (real PostgreSQL, Redis, openssl)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;
  let dir: string;
  let rootId: string;
  let intId: string;
  /** The fixtures' creation responses: the first test asserts on them. */
  let fixtures: { root: Awaited<ReturnType<typeof call>>; int: Awaited<ReturnType<typeof call>> };
  const file = (name: string, data: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  const post = (path: string, body: unknown, auth: string | null = token) =>
    call(base, 'POST', `/api/v1/pki/${path}`, auth ? { token: auth, body } : { body });
  const get = (path: string, auth: string | null = token) =>
    call(base, 'GET', `/api/v1/pki/${path}`, auth ? { token: auth } : {});
  const download = async (path: string) =>
    Buffer.from(await (await fetch(`${base}/api/v1/pki/${path}`)).arrayBuffer());
  /** A certificate of the test's own under the shared 'web' profile, written to `<name>.pem`. */
  const issueLeaf = async (name: string, commonName = `${name}.example.test`) => {
    const issued = await post('issue', {
      profile: 'web',
      commonName,
      altNames: { dns: [`api.${commonName}`], ip: ['10.1.2.3'] },
      ttlSeconds: 7 * 86400,
    });
    expect(issued.status).toBe(201);
    return {
      serial: issued.body.serial as string,
      pem: issued.body.certificatePem as string,
      path: file(`${name}.pem`, issued.body.certificatePem),
    };
  };
  /** An openssl key and CSR for `commonName` (`<name>.key`, `<name>.csr`); returns the CSR PEM. */
  const csrFor = (name: string, commonName: string) => {
    const csrPath = join(dir, `${name}.csr`);
    expect(
      openssl([
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, `${name}.key`),
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        `subjectAltName=DNS:${commonName}`,
        '-out',
        csrPath,
      ]).status,
    ).toBe(0);
    const csr = openssl(['req', '-in', csrPath])
      .output.split('\n')
      .filter((l) => l)
      .join('\n');
    return csr.slice(csr.indexOf('-----BEGIN'));
  };
  /** A root and an intermediate of the test's own (for tests that change a CA or count under one). */
  const createCaPair = async (prefix: string) => {
    const root = await post('cas/root', {
      name: `${prefix}-root`,
      subject: { commonName: `${prefix} Root` },
      ttlSeconds: 3650 * 86400,
      pathLength: 1,
    });
    expect(root.status).toBe(201);
    const int = await post('cas/intermediate', {
      name: `${prefix}-issuing`,
      parentId: root.body.id,
      subject: { commonName: `${prefix} Issuing` },
      ttlSeconds: 365 * 86400,
    });
    expect(int.status).toBe(201);
    return { rootId: root.body.id as string, intId: int.body.id as string };
  };

  beforeAll(async () => {
    primary = await startPrimary('pki', {
      OCSP_URL: 'http://127.0.0.1:8081',
      AUDIT_SEAL_INTERVAL_MS: '0',
      LOG_LEVEL: process.env.PKI_E2E_LOG ?? 'silent',
    });
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
    dir = mkdtempSync(join(tmpdir(), 'mazevault-pki-e2e-'));
    // Shared fixtures, read (never changed) by the tests: a root, an intermediate, the 'web' profile.
    const root = await post('cas/root', {
      name: 'root',
      subject: { commonName: 'MazeVault Test Root', organization: 'MazeVault' },
      ttlSeconds: 3650 * 86400,
      pathLength: 1,
    });
    rootId = root.body.id;
    const int = await post('cas/intermediate', {
      name: 'issuing',
      parentId: rootId,
      subject: { commonName: 'MazeVault Issuing CA' },
      ttlSeconds: 365 * 86400,
    });
    intId = int.body.id;
    fixtures = { root, int };
    file('chain.pem', (await get(`ca/${intId}/chain`, null)).body);
    const web = await post('profiles', {
      name: 'web',
      caId: intId,
      definition: {
        allowedDomains: ['example.test'],
        allowSubdomains: true,
        maxTtlSeconds: 30 * 86400,
        allowedSanTypes: ['dns', 'ip'],
        allowedIpRanges: ['10.0.0.0/8'],
      },
    });
    expect(web.status).toBe(201);
  });
  afterAll(async () => {
    await primary?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a root and an intermediate, with sealed keys and a delegated OCSP signer', async () => {
    // Created through the API in beforeAll (every test needs them); asserted here.
    const { root, int } = fixtures;
    expect(root.status).toBe(201);
    expect(root.body).toMatchObject({
      kind: 'root',
      status: 'active',
      keyType: 'ecdsa-p256',
      ocspSigner: { notAfter: expect.any(String) },
    });
    expect(int.status).toBe(201);
    expect((await post('cas/root', { name: 'root', subject: { commonName: 'dup' } })).status).toBe(409);

    const rows = await primary.dataSource.getRepository(CertificateAuthorityEntity).find();
    // Other tests add CAs of their own; these two are the ones created here, and every key is sealed.
    expect(rows.filter((row) => row.id === rootId || row.id === intId)).toHaveLength(2);
    for (const row of rows) {
      expect(row.sealedPrivateKey).not.toMatch(/PRIVATE KEY|MIG/);
      expect(JSON.parse(row.sealedPrivateKey)).toMatchObject({ v: 1, mk: row.masterKeyId });
    }
    const list = await get('cas');
    expect(
      list.body
        .filter((c: { id: string }) => c.id === rootId || c.id === intId)
        .map((c: { name: string }) => c.name),
    ).toEqual(['root', 'issuing']);
    const chain = await get(`ca/${intId}/chain`, null);
    expect(chain.status).toBe(200);
    file('chain.pem', chain.body);
    expect(
      openssl([
        'x509',
        '-noout',
        '-text',
        '-in',
        file('root.pem', (await get(`ca/${rootId}/pem`, null)).body),
      ]).output,
    ).toContain('CA:TRUE, pathlen:1');
    const intText = openssl([
      'x509',
      '-noout',
      '-text',
      '-in',
      file('int.pem', (await get(`ca/${intId}/pem`, null)).body),
    ]).output;
    expect(intText).toContain(`/api/v1/pki/crl/${rootId}`);
    expect(openssl(['verify', '-CAfile', join(dir, 'root.pem'), join(dir, 'int.pem')]).output).toContain(
      'OK',
    );
  });

  it('manages profiles and refuses what a profile does not allow', async () => {
    // Its own profile: the update below must not change the shared 'web' the other tests issue under.
    const created = await post('profiles', {
      name: 'managed',
      caId: intId,
      definition: {
        allowedDomains: ['example.test'],
        allowSubdomains: true,
        maxTtlSeconds: 30 * 86400,
        allowedSanTypes: ['dns', 'ip'],
        allowedIpRanges: ['10.0.0.0/8'],
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await post('profiles', { name: 'bad', caId: intId, definition: { maxTtlSeconds: 500 * 86400 } })).body
        .code,
    ).toBe('invalid_profile');
    expect((await get('profiles/managed')).body.caId).toBe(intId);
    // Issued before the update (the resolved profile is now cached), refused after it.
    expect((await post('issue', { profile: 'managed', commonName: 'x.secret.example.test' })).status).toBe(
      201,
    );
    const updated = await call(base, 'PUT', '/api/v1/pki/profiles/managed', {
      token,
      body: {
        definition: {
          allowedDomains: ['example.test'],
          excludedDomains: ['secret.example.test'],
          allowSubdomains: true,
          maxTtlSeconds: 30 * 86400,
          allowedSanTypes: ['dns', 'ip'],
          allowedIpRanges: ['10.0.0.0/8'],
        },
      },
    });
    expect(updated.status).toBe(200);
    expect(
      (await post('profiles', { name: 'tmp', caId: intId, definition: { maxTtlSeconds: 3600 } })).status,
    ).toBe(201);
    expect((await post('issue', { profile: 'tmp', commonName: 'a.example.test' })).body.code).toBe(
      'san_not_allowed',
    );
    expect((await call(base, 'DELETE', '/api/v1/pki/profiles/tmp', { token })).status).toBe(204);
    expect((await post('issue', { profile: 'tmp', commonName: 'a.example.test' })).status).toBe(404);
    // Of the profiles this test asked for, only 'managed' exists ('bad' was refused, 'tmp' deleted).
    const names = (await get('profiles')).body.map((p: { name: string }) => p.name);
    expect(names.filter((n: string) => ['managed', 'bad', 'tmp'].includes(n))).toEqual(['managed']);

    for (const name of ['app.other.test', 'x.SECRET.example.test.', 'evil.example.test.attacker.test']) {
      const refused = await post('issue', { profile: 'managed', commonName: name });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('san_not_allowed');
    }
    expect(
      (
        await post('issue', {
          profile: 'managed',
          commonName: 'a.example.test',
          altNames: { ip: ['192.168.1.1'] },
        })
      ).body.code,
    ).toBe('san_not_allowed');
    expect((await post('issue', { profile: 'managed', commonName: '*.api.example.test' })).body.code).toBe(
      'wildcard_not_allowed',
    );
    expect((await post('issue', { profile: 'nope', commonName: 'a.example.test' })).status).toBe(404);
  });

  it('issues with a server-side key (returned once) and openssl verifies the chain', async () => {
    const issued = await post('issue', {
      profile: 'web',
      commonName: 'App.Example.Test.',
      altNames: { dns: ['api.example.test'], ip: ['10.1.2.3'] },
      ttlSeconds: 7 * 86400,
    });
    expect(issued.status).toBe(201);
    expect(issued.body.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect([...issued.body.sans].sort()).toEqual([
      'dns:api.example.test',
      'dns:app.example.test',
      'ip:10.1.2.3',
    ]);
    const leafSerial = issued.body.serial;
    const leafPem = issued.body.certificatePem;
    // The issuance event names the certificate it produced (taken from the handler's result).
    const events = await primary.dataSource
      .getRepository(AuditEventEntity)
      .findBy({ action: 'certificate.issue', outcome: 'success' });
    expect(events.map((e) => e.resourceRef)).toContain(maskReference(leafSerial, primary.config.TENANT_SALT));
    file('leaf.pem', leafPem);
    expect(openssl(['verify', '-CAfile', join(dir, 'chain.pem'), join(dir, 'leaf.pem')]).output).toContain(
      ': OK',
    );
    const text = openssl(['x509', '-noout', '-text', '-in', join(dir, 'leaf.pem')]).output;
    expect(text).toContain('OCSP - URI:http://127.0.0.1:8081');
    expect(text).toContain(`CA Issuers - URI:http://127.0.0.1:8080/api/v1/pki/ca/${intId}`);
    expect(text).toContain(`URI:http://127.0.0.1:8080/api/v1/pki/crl/${intId}`);
    expect(text).toContain('CA:FALSE');
    const key = openssl(['pkey', '-in', file('leaf.key', issued.body.privateKeyPem), '-pubout']).output;
    expect(openssl(['x509', '-noout', '-pubkey', '-in', join(dir, 'leaf.pem')]).output.trim()).toBe(
      key.trim(),
    );
    // The key was handed out once: it is nowhere in the database.
    const dump = JSON.stringify(await primary.dataSource.query('SELECT * FROM certificates'));
    expect(dump).not.toContain(issued.body.privateKeyPem.split('\n')[1]);
    expect((await get(`certificates/${leafSerial}`)).body.privateKeyPem).toBeUndefined();
  });

  it('signs an openssl CSR, refuses CA:true and foreign names, and our own CSR passes `openssl req -verify`', async () => {
    const key = join(dir, 'csr.key');
    const csrPath = join(dir, 'req.csr');
    expect(
      openssl([
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-subj',
        '/CN=csr.example.test',
        '-addext',
        'subjectAltName=DNS:csr.example.test',
        '-out',
        csrPath,
      ]).status,
    ).toBe(0);
    const csr = openssl(['req', '-in', csrPath])
      .output.split('\n')
      .filter((l) => l)
      .join('\n');
    const signed = await post('sign', { profile: 'web', csr: csr.slice(csr.indexOf('-----BEGIN')) });
    expect(signed.status).toBe(201);
    expect(signed.body.privateKeyPem).toBeUndefined();
    expect(
      openssl(['verify', '-CAfile', join(dir, 'chain.pem'), file('signed.pem', signed.body.certificatePem)])
        .output,
    ).toContain(': OK');

    const caCsr = join(dir, 'ca.csr');
    openssl([
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=evil.example.test',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'subjectAltName=DNS:evil.example.test',
      '-out',
      caCsr,
    ]);
    const caRequest = openssl(['req', '-in', caCsr]).output;
    expect(
      (await post('sign', { profile: 'web', csr: caRequest.slice(caRequest.indexOf('-----BEGIN')) })).body
        .code,
    ).toBe('ca_not_allowed');
    expect((await post('sign', { profile: 'web', csr: 'garbage' })).status).toBe(400);

    const pending = await post('cas/intermediate', {
      name: 'external',
      subject: { commonName: 'Externally Signed CA' },
      keyType: 'ecdsa-p384',
    });
    expect(pending.body.status).toBe('pending');
    const pendingCsr = file('pending.csr', pending.body.csrPem);
    expect(openssl(['req', '-verify', '-noout', '-text', '-in', pendingCsr]).output).toMatch(
      /verify OK|Certificate request self-signature verify OK/,
    );
    // An external root signs it with openssl; we import the result.
    const extKey = join(dir, 'ext.key');
    const extCert = join(dir, 'ext.pem');
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      extKey,
      '-subj',
      '/CN=External Root',
      '-days',
      '30',
      '-out',
      extCert,
    ]);
    const signedInt = join(dir, 'ext-int.pem');
    const ext = file(
      'ext.cnf',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n',
    );
    expect(
      openssl([
        'x509',
        '-req',
        '-in',
        pendingCsr,
        '-CA',
        extCert,
        '-CAkey',
        extKey,
        '-CAcreateserial',
        '-days',
        '20',
        '-extfile',
        ext,
        '-out',
        signedInt,
      ]).status,
    ).toBe(0);
    const { readFileSync } = await import('node:fs');
    // A GeneralizedTime with an empty body (`18 00`) made asn1js throw a plain Error: a 500 until it was a PkiError.
    const badTime = `-----BEGIN CERTIFICATE-----\n${Buffer.from([0x30, 0x04, 0x30, 0x02, 0x18, 0x00]).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const refused = await post(`cas/${pending.body.id}/certificate`, { certificate: badTime });
    expect(refused).toMatchObject({ status: 400, body: { code: 'malformed_der' } });
    const imported = await post(`cas/${pending.body.id}/certificate`, {
      certificate: readFileSync(signedInt, 'utf8'),
      chain: readFileSync(extCert, 'utf8'),
    });
    expect(imported.body).toMatchObject({ status: 'active' });
    expect(imported.body.status).toBe('active');
    expect(
      (await post(`cas/${pending.body.id}/certificate`, { certificate: readFileSync(signedInt, 'utf8') }))
        .status,
    ).toBe(409);
  });

  it('renews (same key) and rekeys (new key) under the current profile', async () => {
    const { serial: leafSerial, pem: leafPem } = await issueLeaf('renew');
    const renewed = await post(`certificates/${leafSerial}/renew`, { mode: 'renew' });
    expect(renewed.status).toBe(201);
    expect(renewed.body.serial).not.toBe(leafSerial);
    const pub = (pem: string) => openssl(['x509', '-noout', '-pubkey'], pem).output;
    expect(pub(renewed.body.certificatePem)).toBe(pub(leafPem));
    const rekeyed = await post(`certificates/${leafSerial}/renew`, { mode: 'rekey', keyType: 'ecdsa-p384' });
    expect(rekeyed.status).toBe(201);
    expect(rekeyed.body.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(pub(rekeyed.body.certificatePem)).not.toBe(pub(leafPem));
  });

  it('searches by CA, SAN, serial, status and expiry window', async () => {
    // Its own intermediate and profile, and names no other test uses: the counts are of what it made here.
    const ca = (
      await post('cas/intermediate', {
        name: 'search-issuing',
        parentId: rootId,
        subject: { commonName: 'Search Issuing CA' },
        ttlSeconds: 365 * 86400,
      })
    ).body.id;
    const definition = {
      allowedDomains: ['search.test'],
      allowSubdomains: true,
      maxTtlSeconds: 30 * 86400,
      allowedSanTypes: ['dns', 'ip'],
      allowedIpRanges: ['10.0.0.0/8'],
    };
    expect((await post('profiles', { name: 'search', caId: ca, definition })).status).toBe(201);
    const leaf = await post('issue', {
      profile: 'search',
      commonName: 'app.search.test',
      altNames: { dns: ['api.search.test'], ip: ['10.9.8.7'] },
      ttlSeconds: 7 * 86400,
    });
    expect(leaf.status).toBe(201);
    const leafSerial: string = leaf.body.serial;
    expect((await post(`certificates/${leafSerial}/renew`, { mode: 'renew' })).status).toBe(201);
    expect(
      (await post(`certificates/${leafSerial}/renew`, { mode: 'rekey', keyType: 'ecdsa-p384' })).status,
    ).toBe(201);
    expect((await post('issue', { profile: 'search', commonName: 'other.search.test' })).status).toBe(201);
    expect((await post('sign', { profile: 'search', csr: csrFor('search', 'csr.search.test') })).status).toBe(
      201,
    );

    expect((await get(`certificates?ca=${ca}`)).body.total).toBe(5);
    expect((await get('certificates?san=api.search.test')).body.total).toBe(3);
    expect((await get('certificates?san=ip:10.9.8.7')).body.total).toBe(3);
    expect((await get('certificates?profile=search&san=csr.search.test')).body.total).toBe(1);
    expect((await get(`certificates?serial=${leafSerial.toUpperCase()}`)).body.items[0].serial).toBe(
      leafSerial,
    );
    const soon = new Date(Date.now() + 8 * 86400_000).toISOString();
    expect(
      (await get(`certificates?expiresBefore=${soon}`)).body.items.map((c: { serial: string }) => c.serial),
    ).toContain(leafSerial);
    expect(
      (await get(`certificates?expiresAfter=${soon}`)).body.items.map((c: { serial: string }) => c.serial),
    ).not.toContain(leafSerial);
    expect((await get('certificates?expiresBefore=yesterday')).status).toBe(400);
  });

  it('revokes with a reason: CRL regenerated, openssl -crl_check rejects, OCSP invalidation published, audited', async () => {
    const subscriber = new Redis(primary.config.REDIS_URL);
    const messages: string[] = [];
    // The suite's own channel (under its key prefix): other suites' revocations never arrive here.
    await subscriber.subscribe(`${primary.config.REDIS_KEY_PREFIX}mazevault:ocsp:invalidate`);
    subscriber.on('message', (_channel, message: string) => messages.push(message));
    try {
      const { serial: leafSerial, path: leafPath } = await issueLeaf('revoke');
      // Signed from a CSR and never revoked: it stays off the CRL.
      const bystander = await post('sign', {
        profile: 'web',
        csr: csrFor('bystander', 'bystander.example.test'),
      });
      expect(bystander.status).toBe(201);
      const revokedBefore = (await get('certificates?status=revoked&limit=1000')).body.items.map(
        (c: { serial: string }) => c.serial,
      );
      const crlPath = file('before.crl', await download(`crl/${intId}`));
      expect(
        openssl(['verify', '-crl_check', '-CAfile', join(dir, 'chain.pem'), '-CRLfile', crlPath, leafPath])
          .output,
      ).toContain(': OK');

      expect(
        (await post(`certificates/${leafSerial}/revoke`, { reason: 'keyCompromise' }, null)).status,
      ).toBe(401);
      const revoked = await post(`certificates/${leafSerial}/revoke`, { reason: 'keyCompromise' });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
      expect((await post(`certificates/${leafSerial}/revoke`, { reason: 'keyCompromise' })).status).toBe(409);

      const response = await fetch(`${base}/api/v1/pki/crl/${intId}`);
      expect(response.headers.get('content-type')).toBe('application/pkix-crl');
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      expect((await fetch(`${base}/api/v1/pki/crl/${intId}/pem`)).headers.get('cache-control')).toBe(
        'public, max-age=60',
      );
      const after = file('after.crl', Buffer.from(await response.arrayBuffer()));
      const text = openssl(['crl', '-inform', 'DER', '-noout', '-text', '-in', after]).output;
      expect(text).toContain(leafSerial.toUpperCase());
      expect(text).toContain('Key Compromise');
      expect(text).not.toContain(bystander.body.serial.toUpperCase());
      expect(text).toMatch(/X509v3 CRL Number:\s+\d+/);
      const verify = openssl([
        'verify',
        '-crl_check',
        '-CAfile',
        join(dir, 'chain.pem'),
        '-CRLfile',
        after,
        leafPath,
      ]);
      expect(verify.status).not.toBe(0);
      expect(verify.output).toContain('certificate revoked');

      const delta = openssl(
        ['crl', '-noout', '-text'],
        (await get(`crl/${intId}/delta/pem`, null)).body,
      ).output;
      expect(delta).toContain('Delta CRL Indicator');
      expect(delta).toContain(leafSerial.toUpperCase());
      const full = openssl(['crl', '-noout', '-text'], (await get(`crl/${intId}/pem`, null)).body).output;
      expect(full).toContain('Next Update');
      // Relying parties find the delta CRLs from the complete one (RFC 5280 5.2.6).
      expect(full).toMatch(
        new RegExp(`Freshest CRL:\\s+Full Name:\\s+URI:http://127.0.0.1:8080/api/v1/pki/crl/${intId}/delta`),
      );

      for (let i = 0; i < 50 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(messages).toEqual([`${intId}:${leafSerial}`]);
      // Other tests revoke their own certificates: what this revocation added is exactly this one.
      expect(revokedBefore).not.toContain(leafSerial);
      const revokedAfter = (await get('certificates?status=revoked&limit=1000')).body.items.map(
        (c: { serial: string }) => c.serial,
      );
      expect(revokedAfter.filter((serial: string) => !revokedBefore.includes(serial))).toEqual([leafSerial]);

      const actions = (await primary.dataSource.getRepository(AuditEventEntity).find()).map((e) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'ca.create',
          'certificate.issue',
          'certificate.sign',
          'certificate.revoke',
          'ca.key.use',
        ]),
      );
    } finally {
      subscriber.disconnect();
    }
  });

  it('exposes days until expiry per certificate class, and keeps other organizations out', async () => {
    await issueLeaf('metrics');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/mazevault_pki_certificate_days_until_expiry\{class="web"[^}]*\} \d/);
    expect(metrics).toMatch(/mazevault_pki_certificate_days_until_expiry\{class="ca:root"/);
    // Certificates above were issued on the issuance thread: none left waiting, none failed.
    expect(metrics).toMatch(/^mazevault_pki_issuance_jobs_in_flight(\{[^}]*\})? 0$/m);
    expect(metrics).toMatch(/^mazevault_pki_issuance_thread_failures_total(\{[^}]*\})? 0$/m);
    expect((await get(`cas/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`)).status).toBe(404);
    expect((await get('cas', null)).status).toBe(401);
    expect((await get(`crl/${intId}`, null)).status).toBe(200);
  });

  it('lets a project admin issue and revoke under a profile scoped to their project, and nothing else', async () => {
    const projects = await call(base, 'POST', '/api/v1/projects', {
      token,
      body: { slug: 'pki-team', name: 'PKI team' },
    });
    const other = await call(base, 'POST', '/api/v1/projects', {
      token,
      body: { slug: 'pki-other', name: 'Other' },
    });
    const definition = { allowedDomains: ['team.test'], allowSubdomains: true, maxTtlSeconds: 7 * 86400 };
    expect(
      (await post('profiles', { name: 'team', caId: intId, projectId: projects.body.id, definition })).body
        .projectId,
    ).toBe(projects.body.id);
    expect(
      (await post('profiles', { name: 'other-team', caId: intId, projectId: other.body.id, definition }))
        .status,
    ).toBe(201);
    expect(
      (
        await post('profiles', {
          name: 'ghost',
          caId: intId,
          projectId: '00000000-0000-4000-8000-000000000000',
          definition,
        })
      ).body.code,
    ).toBe('project_not_found');

    const email = `pki-admin-${Date.now()}@example.test`;
    const user = await call(base, 'POST', '/api/v1/users', {
      token,
      body: { email, password: 'a long enough password' },
    });
    await call(base, 'POST', '/api/v1/role-bindings', {
      token,
      body: { userId: user.body.id, role: 'project-admin', projectId: projects.body.id },
    });
    const teamToken = await login(base, email, 'a long enough password');

    const mine = await post('issue', { profile: 'team', commonName: 'svc.team.test' }, teamToken);
    expect(mine.status).toBe(201);
    const theirs = await post('issue', { profile: 'other-team', commonName: 'svc.team.test' }, teamToken);
    expect(theirs.status).toBe(403);
    expect((await post('issue', { profile: 'web', commonName: 'a.example.test' }, teamToken)).status).toBe(
      403,
    );

    const orgWide = await post('issue', { profile: 'other-team', commonName: 'x.team.test' });
    expect(
      (await post(`certificates/${orgWide.body.serial}/revoke`, { reason: 'keyCompromise' }, teamToken))
        .status,
    ).toBe(403);
    const revoked = await post(
      `certificates/${mine.body.serial}/revoke`,
      { reason: 'superseded' },
      teamToken,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
  });

  it('re-issues OCSP signers close to expiry (same key type, new key), and only those', async () => {
    const signerOf = async (id: string) =>
      (
        await primary.dataSource.query(
          'SELECT ocsp_signer_der, ocsp_signer_not_after FROM certificate_authorities WHERE id = $1',
          [id],
        )
      )[0] as {
        ocsp_signer_der: Buffer;
        ocsp_signer_not_after: Date;
      };
    const own = await createCaPair('renewal');
    const [rootBefore, intBefore] = [await signerOf(own.rootId), await signerOf(own.intId)];
    const renewal = primary.app.get(OcspSignerRenewalService);
    expect(await renewal.renewDue()).toEqual([]); // 30-day signers, renewed 10 days ahead: nothing due
    await primary.dataSource.query(
      `UPDATE certificate_authorities SET ocsp_signer_not_after = now() + interval '2 days' WHERE id = $1`,
      [own.intId],
    );

    expect(await renewal.renewDue()).toEqual([own.intId]);
    const intAfter = await signerOf(own.intId);
    expect(intAfter.ocsp_signer_der.equals(intBefore.ocsp_signer_der)).toBe(false);
    expect(intAfter.ocsp_signer_not_after.getTime()).toBeGreaterThan(Date.now() + 20 * 86400_000);
    expect((await signerOf(own.rootId)).ocsp_signer_der.equals(rootBefore.ocsp_signer_der)).toBe(true);

    const text = openssl([
      'x509',
      '-inform',
      'DER',
      '-noout',
      '-text',
      '-in',
      file('renewed-ocsp-signer.der', intAfter.ocsp_signer_der),
    ]).output;
    expect(text).toContain('OCSP Signing');
    expect(text).toMatch(/id-ecPublicKey|ASN1 OID: prime256v1/);
    const audited = await primary.dataSource
      .getRepository(AuditEventEntity)
      .findBy({ action: 'ca.key.use', actorType: 'system' });
    expect(audited.map((e) => e.details)).toContainEqual(expect.objectContaining({ purpose: 'ocsp-signer' }));
    expect(await renewal.renewDue()).toEqual([]);
  });
});
