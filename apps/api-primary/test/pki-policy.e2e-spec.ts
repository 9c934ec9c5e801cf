import { CertificateProfileEntity, CompromisedKeyEntity, PRIMARY_MIGRATIONS } from '@mazevault/persistence';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationInterface } from 'typeorm';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/** The real openssl CLI makes the CSRs and checks what is issued (an implementation independent of ours). */
function openssl(args: string[], input?: string): { status: number; output: string } {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status ?? -1, output: `${result.stdout ?? ''}\n${result.stderr ?? ''}` };
}

const DAY = 86400;

describe('PKI issuance policy (real PostgreSQL, Redis, openssl)', () => {
  let primary: PrimaryTestApp;
  let base: string;
  let token: string;
  let dir: string;
  let rootId: string;
  let intId: string;
  const path = (name: string) => join(dir, name);
  const post = (p: string, body: unknown) => call(base, 'POST', `/api/v1/pki/${p}`, { token, body });
  const get = (p: string) => call(base, 'GET', `/api/v1/pki/${p}`, { token });
  /** A key and a CSR for it made by openssl (`keyArgs` picks the algorithm); returns the CSR PEM. */
  const csrFor = (
    name: string,
    subject: string,
    sans: string,
    keyArgs: string[] = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ) => {
    const existing = keyArgs[0] === '-key';
    const made = openssl([
      'req',
      '-new',
      ...keyArgs,
      ...(existing ? [] : ['-nodes', '-keyout', path(`${name}.key`)]),
      '-subj',
      subject,
      ...(sans ? ['-addext', `subjectAltName=${sans}`] : []),
      '-out',
      path(`${name}.csr`),
    ]);
    expect(made.status).toBe(0);
    return readFileSync(path(`${name}.csr`), 'utf8');
  };
  const chainFile = async () => {
    const chain = await call(base, 'GET', `/api/v1/pki/ca/${intId}/chain`);
    writeFileSync(path('chain.pem'), chain.body);
    return path('chain.pem');
  };
  const verify = async (pem: string, purpose?: string) => {
    writeFileSync(path('leaf.pem'), pem);
    return openssl([
      'verify',
      ...(purpose ? ['-purpose', purpose] : []),
      '-CAfile',
      await chainFile(),
      path('leaf.pem'),
    ]).output;
  };
  const lifetime = (view: { notBefore: string; notAfter: string }) =>
    (Date.parse(view.notAfter) - Date.parse(view.notBefore)) / 1000;

  beforeAll(async () => {
    primary = await startPrimary('pki_policy', {
      AUDIT_SEAL_INTERVAL_MS: '0',
      LOG_LEVEL: process.env.PKI_E2E_LOG ?? 'silent',
    });
    base = primary.baseUrl;
    token = await login(base, primary.admin.email, primary.admin.password);
    dir = mkdtempSync(join(tmpdir(), 'mazevault-pki-policy-'));
    rootId = (
      await post('cas/root', {
        name: 'root',
        subject: { commonName: 'Policy Root' },
        ttlSeconds: 3650 * DAY,
        pathLength: 1,
      })
    ).body.id;
    intId = (
      await post('cas/intermediate', {
        name: 'issuing',
        parentId: rootId,
        subject: { commonName: 'Policy Issuing CA' },
        ttlSeconds: 365 * DAY,
      })
    ).body.id;
    const web = {
      allowedDomains: ['example.test'],
      allowSubdomains: true,
      maxTtlSeconds: 30 * DAY,
      allowedSanTypes: ['dns', 'ip'],
      allowedIpRanges: ['10.0.0.0/8'],
    };
    expect((await post('profiles', { name: 'web', caId: intId, definition: web })).status).toBe(201);
    expect((await post('profiles', { name: 'web-root', caId: rootId, definition: web })).status).toBe(201);
  });
  afterAll(async () => {
    await primary?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('must not be issued', () => {
    it('refuses an RSA key with public exponent 3 at /sign (weak_rsa_key), and a 2048-bit e=65537 key still passes', async () => {
      const weak = csrFor('e3', '/CN=e3.example.test', 'DNS:e3.example.test', [
        '-newkey',
        'rsa:2048',
        '-pkeyopt',
        'rsa_keygen_pubexp:3',
      ]);
      expect(openssl(['req', '-in', path('e3.csr'), '-noout', '-text']).output).toContain(
        'Exponent: 3 (0x3)',
      );
      const refused = await post('sign', { profile: 'web', csr: weak });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('weak_rsa_key');
      const sound = await post('sign', {
        profile: 'web',
        csr: csrFor('rsa', '/CN=rsa.example.test', 'DNS:rsa.example.test', ['-newkey', 'rsa:2048']),
      });
      expect(sound.status).toBe(201);
      expect(await verify(sound.body.certificatePem)).toContain(': OK');
    });

    it('after a keyCompromise revocation the key is never certified again: renew, a fresh /sign, another CA, another certificate of that key', async () => {
      const csr = csrFor('victim', '/CN=victim.example.test', 'DNS:victim.example.test');
      const first = await post('sign', { profile: 'web', csr });
      const twin = await post('sign', { profile: 'web', csr }); // a second certificate of the same key, still good
      expect([first.status, twin.status]).toEqual([201, 201]);
      const revoked = await post(`certificates/${first.body.serial}/revoke`, { reason: 'keyCompromise' });
      expect(revoked.status).toBe(200);
      const rows = await primary.dataSource.getRepository(CompromisedKeyEntity).find();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        caId: intId,
        serial: first.body.serial,
        spkiSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const renew = await post(`certificates/${first.body.serial}/renew`, { mode: 'renew' });
      expect(renew.status).toBe(409);
      expect(renew.body.code).toBe('certificate_revoked');
      for (const profile of ['web', 'web-root']) {
        const again = await post('sign', { profile, csr });
        expect(again.status).toBe(409);
        expect(again.body.code).toBe('key_compromised');
      }
      const twinRenew = await post(`certificates/${twin.body.serial}/renew`, { mode: 'renew' });
      expect(twinRenew.status).toBe(409);
      expect(twinRenew.body.code).toBe('key_compromised');
      // rekeying the twin onto a new key is the way out; rekeying onto the compromised key by CSR is not
      const other = await post('issue', { profile: 'web', commonName: 'other.example.test' });
      const rekeyOnto = await post(`certificates/${other.body.serial}/renew`, { mode: 'rekey', csr });
      expect(rekeyOnto.body.code).toBe('key_compromised');
      expect(
        (await post(`certificates/${twin.body.serial}/renew`, { mode: 'rekey', keyType: 'ecdsa-p256' }))
          .status,
      ).toBe(201);
      // same key, new CSR (new subject): still the same key
      const sameKey = csrFor('victim2', '/CN=victim2.example.test', 'DNS:victim2.example.test', [
        '-key',
        path('victim.key'),
      ]);
      expect((await post('sign', { profile: 'web', csr: sameKey })).body.code).toBe('key_compromised');
    });

    it('a certificate revoked for any reason cannot be renewed or rekeyed (certificate_revoked)', async () => {
      const compromised = primary.dataSource.getRepository(CompromisedKeyEntity);
      const before = await compromised.count(); // the keyCompromise test may have run first
      const issued = await post('issue', { profile: 'web', commonName: 'gone.example.test' });
      expect((await post(`certificates/${issued.body.serial}/revoke`, { reason: 'superseded' })).status).toBe(
        200,
      );
      for (const body of [{ mode: 'renew' }, { mode: 'rekey', keyType: 'ecdsa-p256' }]) {
        const refused = await post(`certificates/${issued.body.serial}/renew`, body);
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('certificate_revoked');
      }
      expect(await compromised.count()).toBe(before); // only keyCompromise blocks keys
      expect(await compromised.countBy({ serial: issued.body.serial })).toBe(0);
    });

    it('refuses certificateHold (revocation here is permanent)', async () => {
      const issued = await post('issue', { profile: 'web', commonName: 'hold.example.test' });
      const hold = await post(`certificates/${issued.body.serial}/revoke`, { reason: 'certificateHold' });
      expect(hold.status).toBe(400);
      expect(hold.body.code).toBe('certificate_hold_not_supported');
      expect((await get(`certificates/${issued.body.serial}`)).body.status).toBe('good');
    });

    it.each(['ocspSigning', 'timeStamping', 'anyExtendedKeyUsage'])(
      'a profile cannot grant %s (eku_reserved)',
      async (eku) => {
        const created = await post('profiles', {
          name: `reserved-${eku}`,
          caId: intId,
          definition: { maxTtlSeconds: DAY, extendedKeyUsages: ['clientAuth', eku] },
        });
        expect(created.status).toBe(400);
        expect(created.body.code).toBe('eku_reserved');
        expect(created.body.detail).toContain(eku);
        const updated = await call(base, 'PUT', '/api/v1/pki/profiles/web', {
          token,
          body: { definition: { maxTtlSeconds: DAY, extendedKeyUsages: [eku] } },
        });
        expect(updated.body.code).toBe('eku_reserved');
      },
    );

    it('the migration refuses to run while a stored profile grants a reserved EKU, naming it', async () => {
      const repo = primary.dataSource.getRepository(CertificateProfileEntity);
      const legacy = await repo.save({
        organizationId: (await repo.findOneByOrFail({ name: 'web' })).organizationId,
        caId: intId,
        name: 'legacy-ocsp',
        projectId: null,
        definition: { maxTtlSeconds: DAY, extendedKeyUsages: ['ocspSigning'] },
      });
      const Migration = PRIMARY_MIGRATIONS.find(
        (m) => m.name === 'CompromisedKeysAndReservedEkus1764700000000',
      ) as new () => MigrationInterface;
      const runner = primary.dataSource.createQueryRunner();
      try {
        await expect(new Migration().up(runner)).rejects.toThrow(
          new RegExp(
            `${legacy.id} \\(organization .*"legacy-ocsp", extendedKeyUsages \\["ocspSigning"\\]\\)`,
          ),
        );
      } finally {
        await runner.release();
        await repo.delete({ id: legacy.id });
      }
      // and at run time such a profile issues nothing
    });
  });

  describe('lifetimes say what they do', () => {
    it('refuses a ttlSeconds above the profile maximum, naming the maximum', async () => {
      const refused = await post('issue', {
        profile: 'web',
        commonName: 'long.example.test',
        ttlSeconds: 31 * DAY,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('ttl_exceeds_profile');
      expect(refused.body.detail).toContain(String(30 * DAY));
      const csr = csrFor('ttl', '/CN=ttl.example.test', 'DNS:ttl.example.test');
      expect((await post('sign', { profile: 'web', csr, ttlSeconds: 31 * DAY })).body.code).toBe(
        'ttl_exceeds_profile',
      );
    });

    it('answers invalid_validity for an absurd ttlSeconds (not malformed_der)', async () => {
      const huge = await post('issue', {
        profile: 'web',
        commonName: 'huge.example.test',
        ttlSeconds: 2 ** 53 - 1,
      });
      expect(huge.status).toBe(400);
      expect(huge.body.code).toBe('invalid_validity');
      const beyond = await post('issue', {
        profile: 'web',
        commonName: 'huge.example.test',
        ttlSeconds: 2 ** 53,
      });
      expect(beyond.status).toBe(400);
      expect(beyond.body.code).not.toBe('malformed_der');
    });

    it('renew keeps the original lifetime: a 1-hour certificate renews for an hour, not the profile maximum', async () => {
      const short = await post('issue', {
        profile: 'web',
        commonName: 'hour.example.test',
        ttlSeconds: 3600,
      });
      expect(short.status).toBe(201);
      const renewed = await post(`certificates/${short.body.serial}/renew`, { mode: 'renew' });
      expect(renewed.status).toBe(201);
      expect(lifetime(renewed.body)).toBe(lifetime(short.body));
      expect(lifetime(renewed.body)).toBeLessThan(3700);
      const rekeyed = await post(`certificates/${short.body.serial}/renew`, {
        mode: 'rekey',
        keyType: 'ecdsa-p256',
      });
      expect(lifetime(rekeyed.body)).toBe(lifetime(short.body));
    });
  });

  describe('names and inputs', () => {
    it('a code-signing profile issues to a person name CN (no DNS rule), and openssl verifies it', async () => {
      const definition = {
        maxTtlSeconds: 365 * DAY,
        extendedKeyUsages: ['codeSigning'],
        keyUsages: ['digitalSignature'],
        requireSubjectAltName: false,
        subjectTemplate: { fixed: { organization: 'MazeVault' }, commonName: 'from-request' },
      };
      expect((await post('profiles', { name: 'code', caId: intId, definition })).status).toBe(201);
      const issued = await post('issue', { profile: 'code', commonName: 'Jana Novakova (release signing)' });
      expect(issued.status).toBe(201);
      expect(issued.body.commonName).toBe('Jana Novakova (release signing)');
      expect(issued.body.sans).toEqual([]);
      expect(await verify(issued.body.certificatePem)).toContain(': OK');
      const csr = csrFor('code', '/CN=Build Service', '');
      const signed = await post('sign', { profile: 'code', csr });
      expect(signed.status).toBe(201);
      expect(openssl(['x509', '-noout', '-text'], signed.body.certificatePem).output).toContain(
        'Code Signing',
      );
    });

    it('a client profile accepts a service name CN; a CN the profile omits is not checked', async () => {
      const client = {
        allowedDomains: ['example.test'],
        allowSubdomains: true,
        maxTtlSeconds: 30 * DAY,
        extendedKeyUsages: ['clientAuth'],
        subjectTemplate: { commonName: 'from-request' },
      };
      expect((await post('profiles', { name: 'client', caId: intId, definition: client })).status).toBe(201);
      const issued = await post('sign', {
        profile: 'client',
        csr: csrFor('client', '/CN=billing service', 'DNS:billing.example.test'),
      });
      expect(issued.status).toBe(201);
      expect(issued.body).toMatchObject({
        commonName: 'billing service',
        sans: ['dns:billing.example.test'],
      });
      expect(await verify(issued.body.certificatePem, 'sslclient')).toContain(': OK');
      const omit = {
        allowedDomains: ['example.test'],
        allowSubdomains: true,
        maxTtlSeconds: 30 * DAY,
        subjectTemplate: { commonName: 'omit' },
      };
      expect((await post('profiles', { name: 'omit', caId: intId, definition: omit })).status).toBe(201);
      const omitted = await post('sign', {
        profile: 'omit',
        csr: csrFor('omit', '/CN=not a host name', 'DNS:svc.example.test'),
      });
      expect(omitted.status).toBe(201);
      expect(omitted.body).toMatchObject({ commonName: null, sans: ['dns:svc.example.test'] });
    });

    it('caps a CSR at 100 SANs, like the API fields', async () => {
      const sans = Array.from({ length: 150 }, (_, i) => `DNS:h${i}.example.test`).join(',');
      const refused = await post('sign', {
        profile: 'web',
        csr: csrFor('many', '/CN=h0.example.test', sans),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('too_many_names');
    });

    it('treats ::ffff:10.1.1.1 as the IPv4 address 10.1.1.1 (range check and 4-octet encoding)', async () => {
      const issued = await post('issue', {
        profile: 'web',
        commonName: 'mapped.example.test',
        altNames: { ip: ['::ffff:10.1.1.1'] },
      });
      expect(issued.status).toBe(201);
      expect(issued.body.sans).toEqual(['dns:mapped.example.test', 'ip:10.1.1.1']);
      expect(openssl(['x509', '-noout', '-text'], issued.body.certificatePem).output).toContain(
        'IP Address:10.1.1.1',
      );
      expect(
        (
          await post('issue', {
            profile: 'web',
            commonName: 'mapped.example.test',
            altNames: { ip: ['::ffff:192.168.1.1'] },
          })
        ).body.code,
      ).toBe('san_not_allowed');
    });

    it('refuses a CSR field with two PEM blocks instead of signing the first', async () => {
      const one = csrFor('pem1', '/CN=pem1.example.test', 'DNS:pem1.example.test');
      const two = csrFor('pem2', '/CN=pem2.example.test', 'DNS:pem2.example.test');
      const refused = await post('sign', { profile: 'web', csr: one + two });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('malformed_pem');
    });

    it('writes the profile policy OIDs into certificatePolicies and fixes C / ST / L next to O', async () => {
      const definition = {
        allowedDomains: ['example.test'],
        allowSubdomains: true,
        maxTtlSeconds: 30 * DAY,
        policyOids: ['2.23.140.1.2.2', '1.3.6.1.4.1.99999.7'],
        subjectTemplate: {
          fixed: { organization: 'MazeVault', country: 'CZ', state: 'Praha', locality: 'Praha 1' },
        },
      };
      expect((await post('profiles', { name: 'ov', caId: intId, definition })).status).toBe(201);
      const issued = await post('issue', { profile: 'ov', commonName: 'ov.example.test' });
      expect(issued.status).toBe(201);
      const text = openssl(
        ['x509', '-noout', '-text', '-nameopt', 'RFC2253'],
        issued.body.certificatePem,
      ).output;
      expect(text).toContain('Policy: 2.23.140.1.2.2');
      expect(text).toContain('Policy: 1.3.6.1.4.1.99999.7');
      expect(text).toContain('Subject: CN=ov.example.test,O=MazeVault,L=Praha 1,ST=Praha,C=CZ');
      expect(await verify(issued.body.certificatePem)).toContain(': OK');
      const bad = await post('profiles', {
        name: 'ov-bad',
        caId: intId,
        definition: { ...definition, subjectTemplate: { fixed: { country: 'cz' } } },
      });
      expect(bad.body.code).toBe('invalid_profile');
    });
  });
});
