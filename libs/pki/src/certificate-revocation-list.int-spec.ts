import * as pkijs from 'pkijs';
import { CertificateAuthority } from './certificate-authority';
import { defineProfile } from './certificate-profile';
import { buildCrl, MAX_CRL_VALIDITY_SECONDS, parseCrl } from './certificate-revocation-list';
import { IssuedCertificate } from './certificate';
import { bytesEqual } from './der-encoding';
import { issueWithGeneratedKey } from './issuance';
import { verifySignature } from './signature-algorithm';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';

const dir = scratchDir();
afterAll(() => dir.cleanup());
const profile = defineProfile({
  name: 'web',
  maxTtlSeconds: 30 * DAY,
  allowedDomains: ['example.com'],
  allowSubdomains: true,
});

let clock: FakeClock;
let root: CertificateAuthority;
let ca: CertificateAuthority;
let good: IssuedCertificate;
let revoked: IssuedCertificate;
beforeAll(async () => {
  clock = new FakeClock(new Date()); // openssl -crl_check compares with the real time
  ({ root, intermediate: ca } = await testHierarchy(clock, { label: 'crl' }));
  good = (
    await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['good.example.com'] },
    })
  ).certificate;
  revoked = (
    await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['revoked.example.com'] },
    })
  ).certificate;
});

describe('CRLs', () => {
  it('round-trips a full CRL through pkijs and verifies its signature', async () => {
    const revokedAt = new Date(clock.now().getTime() - 3600_000);
    const built = await buildCrl({
      ca,
      clock,
      crlNumber: 42n,
      nextUpdateSeconds: DAY,
      entries: [
        { serialNumber: revoked.serialNumber, revokedAt, reason: 'keyCompromise' },
        { serialNumber: '00ff01', revokedAt },
      ],
    });
    const parsed = parseCrl(built.der);
    expect(parsed.crl.version).toBe(1);
    expect(parsed.crlNumber).toBe(42n);
    expect(parsed.baseCrlNumber).toBeUndefined();
    expect(parsed.nextUpdate!.getTime() - parsed.thisUpdate.getTime()).toBe(DAY * 1000);
    expect(parsed.entries).toEqual([
      {
        serialNumber: revoked.serialNumber,
        revokedAt: new Date(Math.floor(revokedAt.getTime() / 1000) * 1000),
        reason: 'keyCompromise',
      },
      { serialNumber: 'ff01', revokedAt: new Date(Math.floor(revokedAt.getTime() / 1000) * 1000) },
    ]);
    const crl = parsed.crl;
    expect(
      await verifySignature(
        ca.certificate.subjectPublicKeyInfo,
        crl.signatureAlgorithm,
        new Uint8Array(crl.tbsView),
        crl.signatureValue,
      ),
    ).toBe(true);
    expect(
      bytesEqual(
        new Uint8Array(crl.issuer.toSchema().toBER()),
        new Uint8Array(ca.certificate.subject.toSchema().toBER()),
      ),
    ).toBe(true);
    expect(parseCrl(built.pem).crlNumber).toBe(42n);
  });

  it('is accepted by openssl crl and makes openssl verify -crl_check reject the revoked leaf only', async () => {
    const built = await buildCrl({
      ca,
      clock,
      crlNumber: 7n,
      nextUpdateSeconds: DAY,
      entries: [{ serialNumber: revoked.serialNumber, revokedAt: clock.now(), reason: 'superseded' }],
    });
    const rootCrl = await buildCrl({ ca: root, clock, crlNumber: 1n, nextUpdateSeconds: DAY, entries: [] });
    const crlFile = dir.write('issuing.crl.pem', built.pem);
    const text = openssl([
      'crl',
      '-in',
      crlFile,
      '-noout',
      '-text',
      '-CAfile',
      dir.write('ca-for-crl.pem', ca.pem),
    ]);
    expect(text.output).toMatch(/verify OK/);
    expect(text.stdout).toContain('X509v3 CRL Number: \n                7');
    expect(text.stdout).toContain('Superseded');
    expect(text.stdout).toContain(`Serial Number: ${revoked.serialNumber.toUpperCase()}`);
    expect(text.stdout).toContain('X509v3 Authority Key Identifier');

    const rootFile = dir.write('root.pem', root.pem);
    const untrusted = dir.write('inter.pem', ca.pem);
    const crls = dir.write('crls.pem', built.pem + rootCrl.pem);
    const verify = (leaf: IssuedCertificate) =>
      openssl([
        'verify',
        '-crl_check_all',
        '-CAfile',
        rootFile,
        '-untrusted',
        untrusted,
        '-CRLfile',
        crls,
        dir.write(`${leaf.serialNumber}.pem`, leaf.pem),
      ]);
    expect(verify(good).output).toContain(': OK');
    const rejected = verify(revoked);
    expect(rejected.status).not.toBe(0);
    expect(rejected.output).toContain('certificate revoked');
  });

  it('builds delta CRLs with a critical delta CRL indicator, readable by openssl', async () => {
    const delta = await buildCrl({
      ca,
      clock,
      crlNumber: 11n,
      baseCrlNumber: 10n,
      nextUpdateSeconds: 3600,
      entries: [{ serialNumber: '0a0b', revokedAt: clock.now(), reason: 'removeFromCRL' }],
    });
    const parsed = parseCrl(delta.der);
    expect(parsed).toMatchObject({
      crlNumber: 11n,
      baseCrlNumber: 10n,
      entries: [{ serialNumber: '0a0b', reason: 'removeFromCRL' }],
    });
    const indicator = parsed.crl.crlExtensions!.extensions.find(
      (e: pkijs.Extension) => e.extnID === '2.5.29.27',
    )!;
    expect(indicator.critical).toBe(true);
    const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], delta.der);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/X509v3 Delta CRL Indicator: critical\s+10/);
    expect(text.stdout).toContain('Remove From CRL');
  });

  it('points a complete CRL at its delta CRLs (Freshest CRL, non-critical), as openssl reads it', async () => {
    const url = 'http://pki.example.test/api/v1/pki/crl/ca-1/delta';
    const full = await buildCrl({
      ca,
      clock,
      crlNumber: 12n,
      nextUpdateSeconds: 3600,
      entries: [],
      freshestCrlUrls: [url],
    });
    const freshest = parseCrl(full.der).crl.crlExtensions!.extensions.find(
      (e: pkijs.Extension) => e.extnID === '2.5.29.46',
    )!;
    expect(freshest.critical).toBe(false);
    const text = openssl(['crl', '-inform', 'DER', '-noout', '-text'], full.der);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Freshest CRL:\\s+Full Name:\\s+URI:${url}`));
  });

  it('omits the revoked list when empty', async () => {
    const built = await buildCrl({ ca, clock, crlNumber: 1n, nextUpdateSeconds: 3600, entries: [] });
    expect(parseCrl(built.der).crl.revokedCertificates).toBeUndefined();
    expect(openssl(['crl', '-inform', 'DER', '-noout', '-text'], built.der).stdout).toContain(
      'No Revoked Certificates',
    );
  });

  it.each<[string, object, string]>([
    [
      'nextUpdate beyond 7 days',
      { nextUpdateSeconds: MAX_CRL_VALIDITY_SECONDS + 1 },
      'crl_validity_too_long',
    ],
    ['non-positive nextUpdate', { nextUpdateSeconds: 0 }, 'invalid_argument'],
    ['delta CRL not above its base', { crlNumber: 5n, baseCrlNumber: 5n }, 'invalid_argument'],
    [
      'removeFromCRL in a full CRL',
      { entries: [{ serialNumber: '01', revokedAt: new Date(), reason: 'removeFromCRL' }] },
      'invalid_argument',
    ],
    [
      'duplicate serials',
      {
        entries: [
          { serialNumber: '01', revokedAt: new Date() },
          { serialNumber: '0001', revokedAt: new Date() },
        ],
      },
      'invalid_argument',
    ],
    ['CRL number above 20 octets', { crlNumber: 2n ** 160n }, 'invalid_argument'],
    [
      'a Freshest CRL pointer in a delta CRL',
      { crlNumber: 6n, baseCrlNumber: 5n, freshestCrlUrls: ['http://pki.example.test/delta'] },
      'invalid_argument',
    ],
    [
      'a Freshest CRL pointer that is not http(s)',
      { freshestCrlUrls: ['ldap://pki.example.test/delta'] },
      'invalid_argument',
    ],
  ])('refuses %s', async (_name, overrides, code) => {
    await expect(
      buildCrl({ ca, clock, crlNumber: 9n, nextUpdateSeconds: 3600, entries: [], ...overrides }),
    ).rejects.toMatchObject({ code });
  });

  it('accepts exactly 7 days', async () => {
    const built = await buildCrl({
      ca,
      clock,
      crlNumber: 2n,
      nextUpdateSeconds: MAX_CRL_VALIDITY_SECONDS,
      entries: [],
    });
    expect(built.nextUpdate.getTime() - built.thisUpdate.getTime()).toBe(MAX_CRL_VALIDITY_SECONDS * 1000);
  });
});
