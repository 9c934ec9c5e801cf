import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, toArrayBuffer } from './der-encoding';
import { readNode, readOid, readRoot, readString, readTime, TAG } from './der-reader';
import { derExtension, derOid, derTime, derTlv } from './der-writer';
import {
  authorityKeyIdFromValue,
  basicConstraintsFromValue,
  generalNamesFromValue,
  keyUsageFromValue,
  readExtensions,
} from './extension-values';
import { defineProfile } from './certificate-profile';
import {
  basicConstraintsExtension,
  extensionDer,
  extKeyUsageExtension,
  keyUsageExtension,
  subjectAltNameExtension,
} from './extensions';
import { extKeyUsageDer, keyUsageDer, leafBasicConstraintsDer, subjectAltNameDer } from './leaf-extensions';
import { EKU_OIDS } from './oids';
import { issueWithGeneratedKey } from './issuance';
import { readSubjectPublicKeyInfo } from './key-type';
import { nameDer } from './distinguished-name';
import { tbsOfCertificate, readTbsCertificate } from './tbs-certificate';
import { FakeClock } from './testing/fake-clock';
import { testHierarchy } from './testing/fixtures';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('der-reader', () => {
  it.each([0, 1, 127, 128, 255, 256, 65535, 65536])(
    'writes a %i-octet OCTET STRING exactly as asn1js does, and reads it back',
    (size) => {
      const content = new Uint8Array(size).map((_, i) => i % 251);
      const der = derTlv(TAG.octetString, [content.subarray(0, size >> 1), content.subarray(size >> 1)]);
      expect(
        bytesEqual(der, new Uint8Array(new asn1js.OctetString({ valueHex: toArrayBuffer(content) }).toBER())),
      ).toBe(true);
      const node = readRoot(der, TAG.octetString, 'octets');
      expect(node.end - node.contentStart).toBe(size);
    },
  );

  it.each([
    '2.5.29.17',
    '1.2.840.113549.1.9.14',
    '1.3.6.1.4.1.311.21.7',
    '2.999.1234567890123',
    '0.9.2342.19200300.100.1.1',
  ])('reads OID %s exactly as asn1js writes it', (oid) => {
    const der = new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER());
    expect(bytesEqual(derOid(oid), der)).toBe(true);
    expect(readOid(der, readRoot(der, TAG.oid, 'oid'))).toBe(oid);
  });

  it.each([
    ['indefinite length', [0x30, 0x80, 0x00, 0x00]],
    ['non-minimal long length', [0x04, 0x81, 0x05, 1, 2, 3, 4, 5]],
    ['length past the end', [0x04, 0x05, 1, 2]],
    ['five length octets', [0x04, 0x85, 1, 0, 0, 0, 0]],
    ['high tag number', [0x1f, 0x81, 0x01, 0x00]],
  ])('refuses %s with malformed_der', (_name, bytes) => {
    expect(code(() => readNode(Uint8Array.from(bytes), 0))).toBe('malformed_der');
  });

  it('refuses trailing data after the root element', () => {
    expect(code(() => readRoot(Uint8Array.of(0x05, 0x00, 0x00), TAG.null, 'x'))).toBe('malformed_der');
  });

  it('refuses a non-minimal OID arc and an oversized OID', () => {
    expect(
      code(() =>
        readOid(Uint8Array.of(0x06, 0x02, 0x80, 0x01), readNode(Uint8Array.of(0x06, 0x02, 0x80, 0x01), 0)),
      ),
    ).toBe('malformed_der');
    const long = Uint8Array.from([0x06, 0x41, ...new Array(65).fill(0x01)]);
    expect(code(() => readOid(long, readNode(long, 0)))).toBe('malformed_der');
  });

  it.each([
    new Date(Date.UTC(2031, 0, 2, 3, 4, 5)),
    new Date(Date.UTC(2050, 11, 31, 23, 59, 59)),
    new Date(Date.UTC(1999, 5, 1)),
  ])('writes and reads back %s as RFC 5280 time', (date) => {
    const der = derTime(date);
    const node = readNode(der, 0);
    expect(node.tag).toBe(date.getUTCFullYear() < 2050 ? TAG.utcTime : TAG.generalizedTime);
    expect(readTime(der, node, 't').getTime()).toBe(date.getTime());
    const viaPkijs = new pkijs.Time({ schema: asn1js.fromBER(toArrayBuffer(der)).result });
    expect(viaPkijs.value.getTime()).toBe(date.getTime());
  });

  it('reads BMPString and UTF8String text', () => {
    const bmp = new Uint8Array(new asn1js.BmpString({ value: 'Zürich' }).toBER());
    expect(readString(bmp, readNode(bmp, 0), 'x')).toBe('Zürich');
    const utf8 = new Uint8Array(new asn1js.Utf8String({ value: 'exämple' }).toBER());
    expect(readString(utf8, readNode(utf8, 0), 'x')).toBe('exämple');
  });
});

describe('extension values', () => {
  it('reads what pkijs writes: basic constraints, key usage, SAN with every supported type', () => {
    const bc = new Uint8Array(
      new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 3 }).toSchema().toBER(),
    );
    expect(basicConstraintsFromValue(bc)).toEqual({ ca: true, pathLength: 3 });
    expect(basicConstraintsFromValue(Uint8Array.of(0x30, 0x00))).toEqual({ ca: false });
    expect(keyUsageFromValue(Uint8Array.of(0x03, 0x02, 0x01, 0x86))).toEqual([
      'digitalSignature',
      'keyCertSign',
      'cRLSign',
    ]);
    const names = new pkijs.GeneralNames({
      names: [
        new pkijs.GeneralName({ type: 2, value: 'a.example.com' }),
        new pkijs.GeneralName({ type: 1, value: 'ops@example.com' }),
        new pkijs.GeneralName({ type: 6, value: 'spiffe://example.com/x' }),
        new pkijs.GeneralName({
          type: 7,
          value: new asn1js.OctetString({ valueHex: Uint8Array.of(10, 0, 0, 1).buffer }),
        }),
        new pkijs.GeneralName({ type: 8, value: '1.2.3.4' }),
      ],
    });
    expect(generalNamesFromValue(new Uint8Array(names.toSchema().toBER()))).toEqual({
      dns: ['a.example.com'],
      email: ['ops@example.com'],
      uri: ['spiffe://example.com/x'],
      ip: ['10.0.0.1'],
      unsupported: [8],
    });
  });

  it('refuses an explicit critical FALSE (DER forbids encoding the default)', () => {
    const ext = derTlv(0x30, [
      derOid('2.5.29.19'),
      Uint8Array.of(0x01, 0x01, 0x00),
      derTlv(0x04, [Uint8Array.of(0x30, 0x00)]),
    ]);
    const list = derTlv(0x30, [ext]);
    expect(code(() => readExtensions(list, readNode(list, 0)))).toBe('malformed_der');
    const ok = derTlv(0x30, [derExtension('2.5.29.19', true, Uint8Array.of(0x30, 0x00))]);
    expect(readExtensions(ok, readNode(ok, 0))).toEqual([
      { oid: '2.5.29.19', critical: true, value: Uint8Array.of(0x30, 0x00) },
    ]);
  });

  it('returns undefined for an AKI without keyIdentifier', () => {
    expect(authorityKeyIdFromValue(Uint8Array.of(0x30, 0x00))).toBeUndefined();
  });
});

describe('leaf extension writers', () => {
  const names = {
    dns: ['a.example.com', '*.b.example.com'],
    ip: ['10.0.0.1', '2001:db8::1'],
    uri: ['spiffe://example.com/x'],
    email: ['ops@example.com'],
  };
  it.each([
    ['basicConstraints', () => leafBasicConstraintsDer(), () => basicConstraintsExtension(false)],
    [
      'keyUsage (one octet)',
      () => keyUsageDer(['digitalSignature', 'keyEncipherment']),
      () => keyUsageExtension(['digitalSignature', 'keyEncipherment']),
    ],
    [
      'keyUsage (two octets)',
      () => keyUsageDer(['digitalSignature', 'decipherOnly']),
      () => keyUsageExtension(['digitalSignature', 'decipherOnly']),
    ],
    [
      'extKeyUsage',
      () => extKeyUsageDer([EKU_OIDS.serverAuth, EKU_OIDS.clientAuth]),
      () => extKeyUsageExtension([EKU_OIDS.serverAuth, EKU_OIDS.clientAuth]),
    ],
    ['subjectAltName', () => subjectAltNameDer(names, false), () => subjectAltNameExtension(names, false)],
    [
      'critical subjectAltName',
      () => subjectAltNameDer(names, true),
      () => subjectAltNameExtension(names, true),
    ],
  ])('%s is byte for byte what the pkijs builder writes', (_name, fast, viaPkijs) => {
    expect(Buffer.from(fast()).toString('hex')).toBe(Buffer.from(extensionDer(viaPkijs())).toString('hex'));
  });
});

describe('readTbsCertificate', () => {
  it('agrees with pkijs on an issued certificate', async () => {
    const clock = new FakeClock();
    const { intermediate } = await testHierarchy(clock, { label: 'der-reader' });
    const profile = defineProfile({
      name: 'svc',
      allowedDomains: ['svc.internal'],
      allowSubdomains: true,
      maxTtlSeconds: 86400,
    });
    const { certificate } = await issueWithGeneratedKey({
      ca: intermediate,
      profile,
      clock,
      keyType: 'rsa-2048',
      altNames: { dns: ['a.svc.internal'] },
    });
    const parsed = certificate.certificate;
    const tbs = readTbsCertificate(tbsOfCertificate(certificate.der));
    expect(tbs.version).toBe(parsed.version);
    expect(Buffer.from(tbs.serial).toString('hex')).toBe(
      Buffer.from(parsed.serialNumber.valueBlock.valueHexView).toString('hex'),
    );
    expect(tbs.notBefore.getTime()).toBe(parsed.notBefore.value.getTime());
    expect(tbs.notAfter.getTime()).toBe(parsed.notAfter.value.getTime());
    expect(bytesEqual(tbs.issuer, nameDer(parsed.issuer))).toBe(true);
    expect(bytesEqual(tbs.subject, nameDer(parsed.subject))).toBe(true);
    expect(tbs.extensions.map((e) => [e.oid, e.critical])).toEqual(
      parsed.extensions!.map((e) => [e.extnID, e.critical]),
    );
    expect(tbs.publicKey.key).toEqual({ family: 'rsa', bits: 2048 });
    expect(
      readSubjectPublicKeyInfo(new Uint8Array(parsed.subjectPublicKeyInfo.toSchema().toBER())).der,
    ).toEqual(tbs.publicKey.der);
    expect(certificate.altNames.dns).toEqual(['a.svc.internal']);
    expect(certificate.commonNames).toEqual(['a.svc.internal']);
  });
});
