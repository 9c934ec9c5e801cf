import {
  certificateAltNames,
  certificateDer,
  certificateKeyIdentifier,
  parseCertificate,
} from './certificate';
import { CertificateAuthority } from './certificate-authority';
import { defineProfile } from './certificate-profile';
import { createCsr } from './certification-request';
import { bytesEqual, integerHex } from './der-encoding';
import { findExtension, readAuthorityKeyIdentifier, readKeyUsage } from './extensions';
import { issueFromCsr, issueWithGeneratedKey, rekeyCertificate, renewCertificate } from './issuance';
import { importPkcs8 } from './key-type';
import { OID } from './oids';
import { verifySignature } from './signature-algorithm';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';
import { testSigner } from './testing/test-keys';
import { BACKDATE_SECONDS } from './validity';

const dir = scratchDir();
afterAll(() => dir.cleanup());
const profile = defineProfile({
  name: 'services',
  maxTtlSeconds: 90 * DAY,
  allowedDomains: ['svc.internal'],
  allowSubdomains: true,
  allowedSanTypes: ['dns', 'ip', 'uri', 'email'],
  allowedIpRanges: ['10.0.0.0/8', 'fd00::/8'],
  allowedUriSchemes: ['spiffe'],
  extendedKeyUsages: ['serverAuth', 'clientAuth'],
  subjectTemplate: { fixed: { organization: 'MazeVault' }, commonName: 'first-dns-san' },
});
const urls = {
  ocspUrls: ['http://ocsp.pki.test'],
  caIssuersUrls: ['http://pki.test/issuing.crt'],
  crlDistributionPoints: ['http://pki.test/issuing.crl'],
};

let clock: FakeClock;
let root: CertificateAuthority;
let ca: CertificateAuthority;
beforeAll(async () => {
  clock = new FakeClock(new Date());
  ({ root, intermediate: ca } = await testHierarchy(clock, { label: 'issuance' }));
});

describe('issuance', () => {
  it('returns DER whose parse is the linted object, byte for byte (TBS, algorithm, signature)', async () => {
    const result = await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      urls,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['der.svc.internal'], ip: ['10.9.8.7'] },
    });
    const issued = result.certificate;
    const reparsed = parseCertificate(issued.der);
    expect(bytesEqual(new Uint8Array(reparsed.tbsView), new Uint8Array(issued.certificate.tbsView))).toBe(
      true,
    );
    // the returned object encodes its fields to exactly the TBS that was signed
    expect(
      bytesEqual(new Uint8Array(issued.certificate.encodeTBS().toBER()), new Uint8Array(reparsed.tbsView)),
    ).toBe(true);
    expect(bytesEqual(certificateDer(issued.certificate), issued.der)).toBe(true);
    expect(bytesEqual(certificateDer(reparsed), issued.der)).toBe(true);
    expect(issued.serialNumber).toBe(integerHex(reparsed.serialNumber));
    expect(certificateAltNames(issued.certificate)).toEqual(certificateAltNames(reparsed));
    expect(
      await verifySignature(
        ca.certificate.subjectPublicKeyInfo,
        reparsed.signatureAlgorithm,
        new Uint8Array(reparsed.tbsView),
        reparsed.signatureValue,
      ),
    ).toBe(true);
  });

  it('issues a leaf that openssl verifies against the chain, with all names canonical', async () => {
    const result = await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      urls,
      keyType: 'ecdsa-p256',
      altNames: {
        dns: ['API.svc.internal.'],
        ip: ['10.1.2.3', 'fd00:0:0:0::1'],
        uri: ['spiffe://SVC.internal/ns/prod/sa/api'],
        email: ['ops@svc.internal'],
      },
    });
    const leafFile = dir.write('leaf.pem', result.certificate.pem);
    const chainFile = dir.write('chain.pem', result.chainPem);
    const rootFile = dir.write('root.pem', root.pem);
    expect(openssl(['verify', '-CAfile', rootFile, '-untrusted', chainFile, leafFile]).output).toContain(
      ': OK',
    );
    const text = openssl(['x509', '-in', leafFile, '-noout', '-text']).stdout;
    expect(text).toContain(
      'DNS:api.svc.internal, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:1, URI:spiffe://svc.internal/ns/prod/sa/api, email:ops@svc.internal',
    );
    expect(text).toContain('OCSP - URI:http://ocsp.pki.test');
    expect(text).toContain('CA Issuers - URI:http://pki.test/issuing.crt');
    expect(text).toContain('URI:http://pki.test/issuing.crl');
    expect(text).toContain('Subject: O = MazeVault, CN = api.svc.internal');
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
  });

  it('uses 16-byte positive random serials', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { certificate } = await issueWithGeneratedKey({
        ca,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['s.svc.internal'] },
      });
      const bytes = new Uint8Array(certificate.certificate.serialNumber.valueBlock.valueHexView);
      expect(bytes.length).toBe(16);
      expect(bytes[0]! & 0x80).toBe(0);
      expect(bytes[0]).not.toBe(0);
      serials.add(certificate.serialNumber);
    }
    expect(serials.size).toBe(5);
  });

  it('links SKI/AKI to the issuing CA and drops keyEncipherment for EC keys', async () => {
    const { certificate } = await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['k.svc.internal'] },
    });
    const aki = readAuthorityKeyIdentifier(
      findExtension(certificate.certificate.extensions, OID.authorityKeyIdentifier)!,
    );
    expect(bytesEqual(aki!, await certificateKeyIdentifier(ca.certificate))).toBe(true);
    expect(readKeyUsage(findExtension(certificate.certificate.extensions, OID.keyUsage)!)).toEqual([
      'digitalSignature',
    ]);
    const rsa = await issueFromCsr({
      ca,
      profile,
      clock,
      csr: (
        await createCsr({
          signer: await testSigner('rsa-2048', 'issuance'),
          subject: {},
          altNames: { dns: ['r.svc.internal'] },
        })
      ).der,
    });
    expect(readKeyUsage(findExtension(rsa.certificate.certificate.extensions, OID.keyUsage)!)).toEqual([
      'digitalSignature',
      'keyEncipherment',
    ]);
  });

  it('returns a generated private key once, as PKCS#8 matching the certificate', async () => {
    const result = await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ed25519',
      altNames: { dns: ['ed.svc.internal'] },
    });
    const keyFile = dir.write('ed.key.der', new Uint8Array(result.privateKeyPkcs8!));
    const certFile = dir.write('ed.pem', result.certificate.pem);
    const fromKey = openssl(['pkey', '-inform', 'DER', '-in', keyFile, '-pubout']).stdout;
    const fromCert = openssl(['x509', '-in', certFile, '-noout', '-pubkey']).stdout;
    expect(fromKey).toBe(fromCert);
    expect((await importPkcs8(result.privateKeyPkcs8!)).keyType).toBe('ed25519');
  });

  describe('validity', () => {
    it('backdates notBefore by a minute and defaults to the profile max TTL (period inclusive)', async () => {
      const fixed = new FakeClock(clock.now());
      const { certificate } = await issueWithGeneratedKey({
        ca,
        profile,
        clock: fixed,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['v.svc.internal'] },
      });
      const now = Math.floor(fixed.now().getTime() / 1000) * 1000;
      expect(certificate.notBefore.getTime()).toBe(now - BACKDATE_SECONDS * 1000);
      expect((certificate.notAfter.getTime() - certificate.notBefore.getTime()) / 1000 + 1).toBe(90 * DAY);
    });

    it('honours a shorter requested TTL and refuses a longer one, naming the maximum', async () => {
      const short = await issueWithGeneratedKey({
        ca,
        profile,
        clock,
        ttlSeconds: 3600,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['v.svc.internal'] },
      });
      expect(short.certificate.notAfter.getTime()).toBe(
        Math.floor(clock.now().getTime() / 1000) * 1000 + 3600_000,
      );
      await expect(
        issueWithGeneratedKey({
          ca,
          profile,
          clock,
          ttlSeconds: 400 * DAY,
          keyType: 'ecdsa-p256',
          altNames: { dns: ['v.svc.internal'] },
        }),
      ).rejects.toMatchObject({
        code: 'ttl_exceeds_profile',
        message: expect.stringContaining(`maximum of ${90 * DAY} seconds`),
      });
    });

    it('never outlives the CA and refuses once the CA has expired', async () => {
      const late = new FakeClock(new Date(ca.certificate.notAfter.value.getTime() - 10 * DAY * 1000));
      const { certificate } = await issueWithGeneratedKey({
        ca,
        profile,
        clock: late,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['v.svc.internal'] },
      });
      expect(certificate.notAfter.getTime()).toBe(ca.certificate.notAfter.value.getTime());
      late.advanceSeconds(11 * DAY);
      await expect(
        issueWithGeneratedKey({
          ca,
          profile,
          clock: late,
          keyType: 'ecdsa-p256',
          altNames: { dns: ['v.svc.internal'] },
        }),
      ).rejects.toMatchObject({ code: 'ca_expired' });
    });
  });

  describe('renew and rekey', () => {
    it('renews with the same key and names, new serial and validity', async () => {
      const first = await issueWithGeneratedKey({
        ca,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['r.svc.internal', 'r2.svc.internal'] },
      });
      const later = new FakeClock(clock.now()).advanceSeconds(30 * DAY);
      const renewed = await renewCertificate({
        ca,
        profile,
        clock: later,
        certificate: first.certificate.pem,
      });
      expect(renewed.certificate.serialNumber).not.toBe(first.certificate.serialNumber);
      expect(renewed.certificate.notAfter.getTime()).toBeGreaterThan(first.certificate.notAfter.getTime());
      expect(renewed.certificate.certificate.subjectPublicKeyInfo.toSchema().toBER()).toEqual(
        first.certificate.certificate.subjectPublicKeyInfo.toSchema().toBER(),
      );
      expect(certificateAltNames(renewed.certificate.certificate)).toEqual(
        certificateAltNames(first.certificate.certificate),
      );
      expect(renewed.privateKeyPkcs8).toBeUndefined();
    });

    it('re-applies the current profile on renewal', async () => {
      const first = await issueWithGeneratedKey({
        ca,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['old.svc.internal'] },
      });
      const tightened = defineProfile({
        ...profile,
        name: 'tightened',
        excludedDomains: ['old.svc.internal'],
      });
      await expect(
        renewCertificate({ ca, profile: tightened, clock, certificate: first.certificate.der }),
      ).rejects.toMatchObject({ code: 'san_not_allowed' });
    });

    it('rekeys with a generated key or a CSR, never with the same key', async () => {
      const first = await issueWithGeneratedKey({
        ca,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['rk.svc.internal'] },
      });
      const generated = await rekeyCertificate({
        ca,
        profile,
        clock,
        certificate: first.certificate.pem,
        keyType: 'ecdsa-p384',
      });
      expect(generated.privateKeyPkcs8).toBeDefined();
      expect(certificateAltNames(generated.certificate.certificate).dns).toEqual(['rk.svc.internal']);
      const csr = await createCsr({ signer: await testSigner('ecdsa-p256', 'rekey'), subject: {} });
      const viaCsr = await rekeyCertificate({
        ca,
        profile,
        clock,
        certificate: first.certificate.pem,
        csr: csr.pem,
      });
      expect(certificateAltNames(viaCsr.certificate.certificate).dns).toEqual(['rk.svc.internal']);
      await expect(
        rekeyCertificate({ ca, profile, clock, certificate: viaCsr.certificate.pem, csr: csr.pem }),
      ).rejects.toMatchObject({ code: 'key_mismatch' });
    });

    it('refuses to renew a certificate from another CA', async () => {
      const other = await testHierarchy(clock, { label: 'issuance-other' });
      const foreign = await issueWithGeneratedKey({
        ca: other.intermediate,
        profile,
        clock,
        keyType: 'ecdsa-p256',
        altNames: { dns: ['f.svc.internal'] },
      });
      await expect(
        renewCertificate({ ca, profile, clock, certificate: foreign.certificate.pem }),
      ).rejects.toMatchObject({ code: 'invalid_argument' });
    });
  });

  it('checks IP and URI SANs against the profile', async () => {
    const issue = (altNames: object) =>
      issueWithGeneratedKey({ ca, profile, clock, keyType: 'ecdsa-p256', altNames });
    await expect(issue({ ip: ['192.168.1.1'] })).rejects.toMatchObject({ code: 'san_not_allowed' });
    await expect(issue({ ip: ['::ffff:192.168.1.1'] })).rejects.toMatchObject({ code: 'san_not_allowed' });
    await expect(issue({ uri: ['https://svc.internal/x'] })).rejects.toMatchObject({
      code: 'san_not_allowed',
    });
    await expect(issue({ uri: ['spiffe://evil.example/x'] })).rejects.toMatchObject({
      code: 'san_not_allowed',
    });
    await expect(issue({ email: ['a@evil.example'] })).rejects.toMatchObject({ code: 'san_not_allowed' });
  });
});
