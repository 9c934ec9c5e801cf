import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate } from './certificate';
import { parseCrl } from './certificate-revocation-list';
import { derTlv, DER_SEQUENCE } from './der-writer';
import { MAX_CERTIFICATE_EXTENSIONS } from './extensions';
import { parseOcspResponse } from './ocsp-response';
import { isPkiError } from './pki-error';
import { FakeClock } from './testing/fake-clock';
import { testHierarchy } from './testing/fixtures';

let caDer: Uint8Array;
beforeAll(async () => {
  const { intermediate } = await testHierarchy(new FakeClock(new Date('2026-01-01T00:00:00Z')), {
    label: 'parse-bounds',
  });
  caDer = intermediate.der;
});

/** The CA certificate re-encoded with `extra` extensions appended (the signature no longer matches; parsing does not check it). */
function withExtensions(extra: pkijs.Extension[]): Uint8Array {
  const certificate = parseCertificate(caDer);
  certificate.extensions = [...(certificate.extensions ?? []), ...extra];
  const parts = [
    certificate.encodeTBS().toBER(),
    certificate.signatureAlgorithm.toSchema().toBER(),
    certificate.signatureValue.toBER(),
  ];
  return derTlv(
    DER_SEQUENCE,
    parts.map((part) => new Uint8Array(part)),
  );
}
const opaque = (oid: string) =>
  new pkijs.Extension({ extnID: oid, critical: false, extnValue: new asn1js.Null().toBER() });

describe('parser entry points refuse with a PkiError, never a plain Error', () => {
  const badTime = derTlv(DER_SEQUENCE, [derTlv(DER_SEQUENCE, [Uint8Array.of(0x18, 0x00)])]); // GeneralizedTime with an empty body
  it.each([
    ['parseCertificate', parseCertificate],
    ['parseCrl', parseCrl],
    ['parseOcspResponse', parseOcspResponse],
  ] as const)('%s: a GeneralizedTime `18 00` is malformed_der', (_name, parse) => {
    let thrown: unknown;
    try {
      parse(badTime);
    } catch (error) {
      thrown = error;
    }
    expect(isPkiError(thrown, 'malformed_der')).toBe(true);
  });
});

describe('certificate extensions are bounded before decoding (RFC 5280 4.2)', () => {
  it('accepts the certificate as issued, and with a few more distinct extensions', () => {
    expect(
      parseCertificate(withExtensions([opaque('1.3.6.1.4.1.99999.1')])).extensions?.length,
    ).toBeGreaterThan(1);
  });

  it('refuses the same extension twice', () => {
    expect(() =>
      parseCertificate(withExtensions([opaque('1.3.6.1.4.1.99999.1'), opaque('1.3.6.1.4.1.99999.1')])),
    ).toThrow(/appears more than once/);
  });

  it(`refuses more than ${MAX_CERTIFICATE_EXTENSIONS} extensions, counted before the rest is read: 1,200 cost a scan, not a decode`, () => {
    const many = withExtensions(Array.from({ length: 1200 }, (_, i) => opaque(`1.3.6.1.4.1.99999.${i}`)));
    expect(many.length).toBeGreaterThan(16_000);
    expect(() => parseCertificate(many)).toThrow(
      new RegExp(`more than ${MAX_CERTIFICATE_EXTENSIONS} elements`),
    );
  });
});
