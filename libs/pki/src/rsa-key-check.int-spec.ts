import { certificateDer } from './certificate';
import { CertificateAuthority } from './certificate-authority';
import { defineProfile } from './certificate-profile';
import { parseCsr } from './certification-request';
import { pemEncode } from './der-encoding';
import { issueFromCsr, renewCertificate, rekeyCertificate } from './issuance';
import { readSubjectPublicKeyInfo } from './key-type';
import { assertPublicKeySound, rsaKeyWeakness } from './rsa-key-check';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';
import { rawRsaCsr, rsaNumbers, rsaSpkiDer } from './testing/raw-rsa';

const dir = scratchDir();
afterAll(() => dir.cleanup());
const profile = defineProfile({
  name: 'rsa',
  maxTtlSeconds: 30 * DAY,
  allowedDomains: ['svc.internal'],
  allowSubdomains: true,
});
const clock = new FakeClock(new Date());
let ca: CertificateAuthority;
// One real 2048-bit modulus (no small factors): every weakness below is the only one of its key.
const good = rsaNumbers();
beforeAll(async () => {
  ({ intermediate: ca } = await testHierarchy(clock, { label: 'rsa-check' }));
});

describe('RSA public key parameters', () => {
  it.each<[string, bigint, bigint, RegExp]>([
    ['e = 1', good.n, 1n, /exponent 1 is below 65537/],
    ['e = 3', good.n, 3n, /exponent 3 is below 65537/],
    ['an even exponent', good.n, 65538n, /exponent is even/],
    ['an exponent above 2^256-1', good.n, (1n << 256n) + 1n, /above 2\^256-1/],
    ['an even modulus', good.n * 2n, 65537n, /modulus is even/],
    ['a modulus with a small prime factor', good.n * 997n, 65537n, /small prime factor \(997\)/],
    ['a modulus with the factor 3', good.n * 3n, 65537n, /small prime factor \(3\)/],
  ])('refuses %s', (_name, n, e, message) => {
    expect(rsaKeyWeakness(n, e)).toMatch(message);
    expect(() => assertPublicKeySound(readSubjectPublicKeyInfo(rsaSpkiDer(n, e)))).toThrow(
      expect.objectContaining({ code: 'weak_rsa_key' }),
    );
  });

  it('accepts a sound key (e = 65537, and the largest exponent allowed)', () => {
    expect(rsaKeyWeakness(good.n, 65537n)).toBeUndefined();
    expect(rsaKeyWeakness(good.n, (1n << 256n) - 1n)).toBeUndefined();
  });

  it.each<[string, { n: bigint; e: bigint; d: bigint }]>([
    ['e = 1 (a signature that is the padded digest itself)', { n: good.n, e: 1n, d: 1n }],
    ['e = 3', rsaNumbers(3)],
    ['an even modulus (e = 1)', { n: good.n * 2n, e: 1n, d: 1n }],
  ])('refuses a CSR whose self-signature verifies but whose key has %s', async (_name, key) => {
    const csr = rawRsaCsr(key, { commonName: 'weak.svc.internal' }, ['weak.svc.internal']);
    await expect(parseCsr(csr)).rejects.toMatchObject({ code: 'weak_rsa_key' });
    await expect(issueFromCsr({ ca, profile, clock, csr })).rejects.toMatchObject({ code: 'weak_rsa_key' });
  });

  it('the raw-RSA helper makes valid CSRs: a sound key built the same way is certified', async () => {
    const csr = rawRsaCsr(good, { commonName: 'sound.svc.internal' }, ['sound.svc.internal']);
    const issued = await issueFromCsr({ ca, profile, clock, csr });
    expect(issued.certificate.altNames.dns).toEqual(['sound.svc.internal']);
  });

  it('refuses to renew or rekey-by-CSR onto a weak key (a certificate made outside our checks, signed by openssl with the CA key)', async () => {
    const weak = rsaNumbers(3);
    const keyFile = dir.write('e3.key', weak.pem);
    const csrFile = dir.write('e3.csr', '');
    expect(
      openssl([
        'req',
        '-new',
        '-key',
        keyFile,
        '-subj',
        '/CN=e3.svc.internal',
        '-addext',
        'subjectAltName=DNS:e3.svc.internal',
        '-out',
        csrFile,
      ]).status,
    ).toBe(0);
    const caKey = dir.write(
      'ca.key',
      ca.signer.privateKey!.export({ type: 'pkcs8', format: 'pem' }) as string,
    );
    const caCert = dir.write('ca.pem', pemEncode('CERTIFICATE', certificateDer(ca.certificate)));
    const ext = dir.write(
      'leaf.ext',
      'subjectAltName=DNS:e3.svc.internal\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
    );
    const leaf = dir.path + '/e3.pem';
    expect(
      openssl([
        'x509',
        '-req',
        '-in',
        csrFile,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        '0x1234567890abcdef01',
        '-days',
        '10',
        '-extfile',
        ext,
        '-out',
        leaf,
      ]).status,
    ).toBe(0);
    const certificate = openssl(['x509', '-in', leaf]).stdout;
    await expect(renewCertificate({ ca, profile, clock, certificate })).rejects.toMatchObject({
      code: 'weak_rsa_key',
    });
    const csr = rawRsaCsr({ n: good.n, e: 1n, d: 1n }, { commonName: 'e3.svc.internal' }, [
      'e3.svc.internal',
    ]);
    const sound = await rekeyCertificate({ ca, profile, clock, certificate, keyType: 'rsa-2048' });
    await expect(
      rekeyCertificate({ ca, profile, clock, certificate: sound.certificate.pem, csr }),
    ).rejects.toMatchObject({ code: 'weak_rsa_key' });
  });
});
