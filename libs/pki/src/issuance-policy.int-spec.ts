import { certificateDer } from './certificate';
import { CertificateAuthority } from './certificate-authority';
import { defineProfile, MAX_ALT_NAMES } from './certificate-profile';
import { createCsr, parseCsr } from './certification-request';
import { pemEncode } from './der-encoding';
import { issueFromCsr, issueWithGeneratedKey, renewCertificate, rekeyCertificate } from './issuance';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';
import { testSigner } from './testing/test-keys';
import { KEY_TYPES } from './key-type';

// The audit's policy items: what a profile may grant, what a lifetime means, how names and inputs are read.
const dir = scratchDir();
afterAll(() => dir.cleanup());
const clock = new FakeClock(new Date());
let root: CertificateAuthority;
let ca: CertificateAuthority;
let chainFile: string;
beforeAll(async () => {
  ({ root, intermediate: ca } = await testHierarchy(clock, { label: 'policy' }));
  chainFile = dir.write(
    'chain.pem',
    pemEncode('CERTIFICATE', certificateDer(ca.certificate)) +
      pemEncode('CERTIFICATE', certificateDer(root.certificate)),
  );
});
const web = defineProfile({
  name: 'web',
  maxTtlSeconds: 30 * DAY,
  allowedDomains: ['svc.internal'],
  allowSubdomains: true,
  allowedSanTypes: ['dns', 'ip'],
  allowedIpRanges: ['10.0.0.0/8', 'fd00::/8'],
});
const verify = (pem: string, purpose?: string) =>
  openssl([
    'verify',
    ...(purpose ? ['-purpose', purpose] : []),
    '-CAfile',
    chainFile,
    dir.write(`leaf-${Math.random()}.pem`, pem),
  ]).output;
const text = (pem: string) => openssl(['x509', '-noout', '-text'], pem).stdout;

describe('what a profile may grant', () => {
  it.each(['ocspSigning', 'timeStamping', 'anyExtendedKeyUsage'])('refuses %s with eku_reserved', (eku) => {
    expect(() =>
      defineProfile({ name: 'p', maxTtlSeconds: 3600, extendedKeyUsages: ['clientAuth', eku as never] }),
    ).toThrow(expect.objectContaining({ code: 'eku_reserved', message: expect.stringContaining(eku) }));
  });

  it('writes the profile policy OIDs into a certificatePolicies extension that openssl reads', async () => {
    const profile = defineProfile({
      ...web,
      name: 'policies',
      policyOids: ['2.23.140.1.2.1', '1.3.6.1.4.1.99999.1'],
    });
    const { certificate } = await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['p.svc.internal'] },
    });
    const out = text(certificate.pem);
    expect(out).toContain('X509v3 Certificate Policies');
    expect(out).toContain('Policy: 2.23.140.1.2.1');
    expect(out).toContain('Policy: 1.3.6.1.4.1.99999.1');
    expect(verify(certificate.pem)).toContain(': OK');
    expect(() => defineProfile({ ...web, name: 'bad', policyOids: ['1.2.x'] })).toThrow(
      expect.objectContaining({ code: 'invalid_profile' }),
    );
  });

  it('fixes C / ST / L next to O, and refuses a bad fixed country when the profile is defined', async () => {
    const profile = defineProfile({
      ...web,
      name: 'fixed',
      subjectTemplate: {
        fixed: { country: 'CZ', state: 'Praha', locality: 'Praha 1', organization: 'MazeVault' },
        commonName: 'first-dns-san',
      },
    });
    const { certificate } = await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['f.svc.internal'] },
    });
    expect(
      openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], certificate.pem).stdout.trim(),
    ).toBe('subject=CN=f.svc.internal,O=MazeVault,L=Praha 1,ST=Praha,C=CZ');
    expect(() =>
      defineProfile({
        ...web,
        name: 'bad',
        subjectTemplate: { fixed: { country: 'Czechia' }, commonName: 'omit' },
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_profile' }));
  });
});

describe('the CN rule belongs to the profile', () => {
  const codeSigning = defineProfile({
    name: 'code',
    maxTtlSeconds: 365 * DAY,
    extendedKeyUsages: ['codeSigning'],
    keyUsages: ['digitalSignature'],
    subjectTemplate: { fixed: { organization: 'MazeVault' }, commonName: 'from-request' },
    requireSubjectAltName: false,
  });
  const client = defineProfile({
    name: 'client',
    maxTtlSeconds: 30 * DAY,
    extendedKeyUsages: ['clientAuth'],
    allowedDomains: ['svc.internal'],
    allowSubdomains: true,
    subjectTemplate: { fixed: {}, commonName: 'from-request' },
  });

  it('a code-signing profile issues to a person name CN, without SANs, and openssl verifies it for code signing', async () => {
    const { certificate } = await issueWithGeneratedKey({
      ca,
      profile: codeSigning,
      clock,
      keyType: 'ecdsa-p256',
      commonName: 'Jana Nováková (release signing)',
    });
    expect(certificate.commonNames).toEqual(['Jana Nováková (release signing)']);
    expect(certificate.altNames.dns).toEqual([]);
    expect(text(certificate.pem)).toContain('Code Signing');
    expect(verify(certificate.pem)).toContain(': OK');
  });

  it('a client profile accepts a service name CN next to its checked SANs (CSR channel too)', async () => {
    const csr = await createCsr({
      signer: await testSigner('ecdsa-p256', 'policy-client'),
      subject: { commonName: 'billing service' },
      altNames: { dns: ['billing.svc.internal'] },
    });
    const { certificate } = await issueFromCsr({ ca, profile: client, clock, csr: csr.pem });
    expect(certificate.commonNames).toEqual(['billing service']);
    expect(certificate.altNames.dns).toEqual(['billing.svc.internal']);
    expect(verify(certificate.pem, 'sslclient')).toContain(': OK');
  });

  it('a TLS server profile keeps the DNS rule and cannot be set to text CNs', async () => {
    await expect(
      issueWithGeneratedKey({
        ca,
        profile: web,
        clock,
        keyType: 'ecdsa-p256',
        commonName: 'billing service',
      }),
    ).rejects.toMatchObject({ code: 'invalid_name' });
    expect(() => defineProfile({ ...web, name: 'x', commonNameFormat: 'text' })).toThrow(
      expect.objectContaining({ code: 'invalid_profile' }),
    );
  });

  it('does not check (or copy into the SANs) a CN the profile omits', async () => {
    const omit = defineProfile({
      ...web,
      name: 'omit',
      subjectTemplate: { fixed: { organization: 'MazeVault' }, commonName: 'omit' },
    });
    const csr = await createCsr({
      signer: await testSigner('ecdsa-p256', 'policy-omit'),
      subject: { commonName: 'not a dns name' },
      altNames: { dns: ['o.svc.internal'] },
    });
    const { certificate } = await issueFromCsr({ ca, profile: omit, clock, csr: csr.pem });
    expect(certificate.commonNames).toEqual([]);
    expect(certificate.altNames.dns).toEqual(['o.svc.internal']);
    const outside = await createCsr({
      signer: await testSigner('ecdsa-p256', 'policy-omit'),
      subject: { commonName: 'www.evil.example' },
      altNames: { dns: ['o.svc.internal'] },
    });
    expect(
      (await issueFromCsr({ ca, profile: omit, clock, csr: outside.pem })).certificate.altNames.dns,
    ).toEqual(['o.svc.internal']);
    const apiCn = await createCsr({
      signer: await testSigner('ecdsa-p256', 'policy-omit'),
      subject: {},
      altNames: { dns: ['o.svc.internal'] },
    });
    expect(
      (await issueFromCsr({ ca, profile: omit, clock, csr: apiCn.pem, commonName: 'ignored too' }))
        .certificate.commonNames,
    ).toEqual([]);
  });
});

describe('names and inputs', () => {
  it(`caps CSR SANs at ${MAX_ALT_NAMES}, like the API fields`, async () => {
    const signer = await testSigner('ecdsa-p256', 'policy-sans');
    const many = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.svc.internal`);
    const tooMany = await createCsr({ signer, subject: {}, altNames: { dns: many(MAX_ALT_NAMES + 1) } });
    await expect(issueFromCsr({ ca, profile: web, clock, csr: tooMany.pem })).rejects.toMatchObject({
      code: 'too_many_names',
    });
    const mixed = await createCsr({ signer, subject: {}, altNames: { dns: many(60) } });
    await expect(
      issueFromCsr({
        ca,
        profile: web,
        clock,
        csr: mixed.pem,
        altNames: { dns: many(50).map((n) => `x${n}`) },
      }),
    ).rejects.toMatchObject({ code: 'too_many_names' });
    const enough = await createCsr({ signer, subject: {}, altNames: { dns: many(MAX_ALT_NAMES) } });
    expect(
      (await issueFromCsr({ ca, profile: web, clock, csr: enough.pem })).certificate.altNames.dns,
    ).toHaveLength(MAX_ALT_NAMES);
  });

  it('treats an IPv4-mapped IPv6 address as IPv4: range-checked as IPv4 and encoded in 4 octets', async () => {
    const { certificate } = await issueWithGeneratedKey({
      ca,
      profile: web,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['m.svc.internal'], ip: ['::ffff:10.1.1.1'] },
    });
    expect(certificate.altNames.ip).toEqual(['10.1.1.1']);
    expect(text(certificate.pem)).toContain('IP Address:10.1.1.1');
    const v6Only = defineProfile({ ...web, name: 'v6', allowedIpRanges: ['fd00::/8', '::/0'] });
    await expect(
      issueWithGeneratedKey({
        ca,
        profile: v6Only,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { ip: ['::ffff:10.1.1.1'] },
      }),
    ).rejects.toMatchObject({ code: 'san_not_allowed' });
  });

  it('refuses PEM input with more than one block instead of keeping the first', async () => {
    const one = await createCsr({
      signer: await testSigner('ecdsa-p256', 'policy-pem'),
      subject: {},
      altNames: { dns: ['a.svc.internal'] },
    });
    const two = await createCsr({
      signer: await testSigner('ecdsa-p256', 'policy-pem2'),
      subject: {},
      altNames: { dns: ['b.svc.internal'] },
    });
    await expect(parseCsr(one.pem + two.pem)).rejects.toMatchObject({ code: 'malformed_pem' });
    await expect(
      parseCsr(one.pem + pemEncode('CERTIFICATE', certificateDer(ca.certificate))),
    ).rejects.toMatchObject({ code: 'malformed_pem' });
    expect((await parseCsr(`comment before\n${one.pem}`)).altNames.dns).toEqual(['a.svc.internal']);
  });
});

describe('lifetimes say what they do', () => {
  const issue = (ttlSeconds: number, at: FakeClock = clock) =>
    issueWithGeneratedKey({
      ca,
      profile: web,
      clock: at,
      keyType: 'ecdsa-p256',
      ttlSeconds,
      altNames: { dns: ['t.svc.internal'] },
    });

  it('refuses a TTL above the profile maximum, naming it (Vault: no silent cap)', async () => {
    await expect(issue(2 ** 53 - 1)).rejects.toMatchObject({ code: 'invalid_validity' });
    await expect(issue(30 * DAY + 1)).rejects.toMatchObject({
      code: 'ttl_exceeds_profile',
      details: { maxTtlSeconds: 30 * DAY },
    });
    expect((await issue(30 * DAY)).certificate.notAfter.getTime()).toBeGreaterThan(
      clock.now().getTime() + 29 * DAY * 1000,
    );
  });

  it.each([2 ** 53, Number.MAX_VALUE, 1.5, -60, Number.NaN])(
    'answers invalid_validity for ttlSeconds %p',
    async (ttl) => {
      await expect(issue(ttl)).rejects.toMatchObject({ code: 'invalid_validity' });
    },
  );

  it('refuses a requested TTL past the CA notAfter; a default one is cut to fit', async () => {
    const late = new FakeClock(new Date(ca.certificate.notAfter.value.getTime() - 10 * DAY * 1000));
    await expect(issue(20 * DAY, late)).rejects.toMatchObject({ code: 'ttl_exceeds_issuer' });
    const fitted = await issueWithGeneratedKey({
      ca,
      profile: web,
      clock: late,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['t.svc.internal'] },
    });
    expect(fitted.certificate.notAfter.getTime()).toBe(ca.certificate.notAfter.value.getTime());
  });

  it('renew and rekey keep the previous lifetime (a 1-hour certificate renews for 1 hour, not the profile maximum)', async () => {
    const first = await issue(3600);
    const later = new FakeClock(clock.now()).advanceSeconds(1800);
    const renewed = await renewCertificate({
      ca,
      profile: web,
      clock: later,
      certificate: first.certificate.pem,
    });
    const lifetime = (c: { notBefore: Date; notAfter: Date }) =>
      (c.notAfter.getTime() - c.notBefore.getTime()) / 1000;
    expect(lifetime(renewed.certificate)).toBe(lifetime(first.certificate));
    const rekeyed = await rekeyCertificate({
      ca,
      profile: web,
      clock: later,
      certificate: first.certificate.pem,
      keyType: 'ecdsa-p256',
    });
    expect(lifetime(rekeyed.certificate)).toBe(lifetime(first.certificate));
    // an explicit TTL still wins, and the (now tighter) profile caps the carried-over lifetime
    expect(
      lifetime(
        (
          await renewCertificate({
            ca,
            profile: web,
            clock: later,
            certificate: first.certificate.pem,
            ttlSeconds: 7200,
          })
        ).certificate,
      ),
    ).toBe(7200 + 60);
    const tight = defineProfile({ ...web, name: 'tight', maxTtlSeconds: 1800 });
    expect(
      lifetime(
        (await renewCertificate({ ca, profile: tight, clock: later, certificate: first.certificate.pem }))
          .certificate,
      ),
    ).toBe(1800 - 1);
  });
});

describe('every key type still passes the pre-issuance lint under each profile kind', () => {
  const kinds = [
    web,
    defineProfile({
      name: 'client',
      maxTtlSeconds: 30 * DAY,
      extendedKeyUsages: ['clientAuth'],
      allowedDomains: ['svc.internal'],
      allowSubdomains: true,
    }),
    defineProfile({
      name: 'code',
      maxTtlSeconds: 30 * DAY,
      extendedKeyUsages: ['codeSigning'],
      keyUsages: ['digitalSignature'],
      requireSubjectAltName: false,
      subjectTemplate: { fixed: {}, commonName: 'from-request' },
    }),
    defineProfile({
      name: 'mail',
      maxTtlSeconds: 30 * DAY,
      extendedKeyUsages: ['emailProtection'],
      allowedDomains: ['svc.internal'],
      allowedSanTypes: ['email'],
      subjectTemplate: { fixed: {}, commonName: 'from-request' },
    }),
  ];
  it.each(kinds.flatMap((profile) => KEY_TYPES.map((keyType) => [profile.name, keyType, profile] as const)))(
    '%s / %s',
    async (_name, keyType, profile) => {
      const names =
        profile.name === 'mail'
          ? { commonName: 'Jana', altNames: { email: ['jana@svc.internal'] } }
          : profile.name === 'code'
            ? { commonName: 'Release signing' }
            : { altNames: { dns: ['k.svc.internal'] } };
      const { certificate } = await issueWithGeneratedKey({ ca, profile, clock, keyType, ...names });
      expect(verify(certificate.pem)).toContain(': OK');
    },
  );
});
