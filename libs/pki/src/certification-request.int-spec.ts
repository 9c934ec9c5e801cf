import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AltNames } from './alt-names';
import { certificateAltNames } from './certificate';
import { CertificateAuthority } from './certificate-authority';
import { defineProfile } from './certificate-profile';
import { createCsr, CsrRequest, parseCsr } from './certification-request';
import { pemEncode } from './der-encoding';
import { DistinguishedName } from './distinguished-name';
import { findExtension, readExtKeyUsage } from './extensions';
import { issueFromCsr } from './issuance';
import { KeyType } from './key-type';
import { EKU_OIDS, OID } from './oids';
import { PkiErrorCode } from './pki-error';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';
import { testSigner } from './testing/test-keys';

const clock = new FakeClock();
const profile = defineProfile({
  name: 'web-servers',
  maxTtlSeconds: 90 * DAY,
  allowedDomains: ['example.com', 'bücher.example'],
  excludedDomains: ['secret.example.com', 'münchen.example.com'],
  allowSubdomains: true,
  allowWildcards: false,
  extendedKeyUsages: ['serverAuth', 'clientAuth'],
});
const wildcardProfile = defineProfile({ ...profile, name: 'wildcards', allowWildcards: true });

let ca: CertificateAuthority;
beforeAll(async () => {
  ({ intermediate: ca } = await testHierarchy(clock));
});

interface Row {
  name: string;
  keyType?: KeyType;
  subject?: DistinguishedName;
  altNames?: Partial<AltNames>;
  csr?: Omit<CsrRequest, 'signer' | 'subject' | 'altNames'>;
  /** Post-processing of the DER (e.g. to break the signature). */
  tamper?: (der: Uint8Array) => Uint8Array;
  wildcards?: boolean;
  /** A CSR produced outside this library. */
  external?: () => Promise<string>;
}

function replaceAscii(der: Uint8Array, from: string, to: string): Uint8Array {
  const hex = Buffer.from(der).toString('hex');
  const fromHex = Buffer.from(from).toString('hex');
  if (!hex.includes(fromHex)) throw new Error(`${from} not in DER`);
  return new Uint8Array(Buffer.from(hex.replace(fromHex, Buffer.from(to).toString('hex')), 'hex'));
}

async function csrFor(row: Row): Promise<Uint8Array> {
  const signer = await testSigner(row.keyType ?? 'ecdsa-p256', 'csr');
  const { der } = await createCsr({
    signer,
    subject: row.subject ?? {},
    ...(row.altNames && { altNames: row.altNames }),
    ...row.csr,
  });
  return row.tamper ? row.tamper(der) : der;
}

async function issue(row: Row) {
  const csr = await csrFor(row);
  return issueFromCsr({
    ca,
    profile: row.wildcards ? wildcardProfile : profile,
    clock,
    csr: pemEncode('CERTIFICATE REQUEST', csr),
  });
}

const accepted: Array<Row & { expectDns: string[]; expectCn?: string; expectEku?: string[] }> = [
  { name: 'subdomain in profile', altNames: { dns: ['www.example.com'] }, expectDns: ['www.example.com'] },
  { name: 'bare allowed domain', altNames: { dns: ['example.com'] }, expectDns: ['example.com'] },
  {
    name: 'upper case is canonicalized',
    altNames: { dns: ['WWW.Example.COM'] },
    expectDns: ['www.example.com'],
  },
  {
    name: 'trailing dot is stripped',
    altNames: { dns: ['api.example.com.'] },
    expectDns: ['api.example.com'],
  },
  {
    name: 'unicode is issued as punycode',
    altNames: { dns: ['shop.bücher.example'] },
    expectDns: ['shop.xn--bcher-kva.example'],
  },
  {
    name: 'punycode form of an allowed IDN',
    altNames: { dns: ['shop.xn--bcher-kva.example'] },
    expectDns: ['shop.xn--bcher-kva.example'],
  },
  {
    name: 'CN only: becomes the SAN',
    subject: { commonName: 'Portal.example.com' },
    expectDns: ['portal.example.com'],
    expectCn: 'portal.example.com',
  },
  {
    name: 'CN duplicated in SANs once',
    subject: { commonName: 'a.example.com' },
    altNames: { dns: ['A.example.com', 'b.example.com'] },
    expectDns: ['a.example.com', 'b.example.com'],
    expectCn: 'a.example.com',
  },
  {
    name: 'RSA-2048 key',
    keyType: 'rsa-2048',
    altNames: { dns: ['rsa.example.com'] },
    expectDns: ['rsa.example.com'],
  },
  {
    name: 'Ed25519 key',
    keyType: 'ed25519',
    altNames: { dns: ['ed.example.com'] },
    expectDns: ['ed.example.com'],
  },
  {
    name: 'P-384 key',
    keyType: 'ecdsa-p384',
    altNames: { dns: ['p384.example.com'] },
    expectDns: ['p384.example.com'],
  },
  {
    name: 'CA:FALSE requested is harmless',
    altNames: { dns: ['leaf.example.com'] },
    csr: {
      extraExtensions: [
        new pkijs.Extension({
          extnID: OID.basicConstraints,
          critical: true,
          extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(),
        }),
      ],
    },
    expectDns: ['leaf.example.com'],
  },
  {
    name: 'requested EKU subset narrows the grant',
    altNames: { dns: ['client.example.com'] },
    csr: { extendedKeyUsages: [EKU_OIDS.clientAuth] },
    expectDns: ['client.example.com'],
    expectEku: [EKU_OIDS.clientAuth],
  },
  {
    name: 'no EKU requested: profile EKUs',
    altNames: { dns: ['both.example.com'] },
    expectDns: ['both.example.com'],
    expectEku: [EKU_OIDS.serverAuth, EKU_OIDS.clientAuth],
  },
  {
    name: 'wildcard when the profile allows it',
    wildcards: true,
    altNames: { dns: ['*.WWW.Example.com.'] },
    expectDns: ['*.www.example.com'],
  },
];

const refused: Array<Row & { code: PkiErrorCode }> = [
  {
    name: 'mismatched signature',
    altNames: { dns: ['aaa.example.com'] },
    tamper: (d) => replaceAscii(d, 'aaa.example.com', 'bbb.example.com'),
    code: 'csr_signature_invalid',
  },
  { name: 'domain outside profile', altNames: { dns: ['www.other.com'] }, code: 'san_not_allowed' },
  { name: 'outside profile, upper case', altNames: { dns: ['WWW.OTHER.COM'] }, code: 'san_not_allowed' },
  { name: 'outside profile, trailing dot', altNames: { dns: ['www.other.com.'] }, code: 'san_not_allowed' },
  { name: 'outside profile, unicode', altNames: { dns: ['bücher.example.net'] }, code: 'san_not_allowed' },
  {
    name: 'outside profile, punycode',
    altNames: { dns: ['xn--bcher-kva.example.net'] },
    code: 'san_not_allowed',
  },
  { name: 'suffix trick: badexample.com', altNames: { dns: ['badexample.com'] }, code: 'san_not_allowed' },
  {
    name: 'suffix trick: example.com.evil.net',
    altNames: { dns: ['example.com.evil.net'] },
    code: 'san_not_allowed',
  },
  { name: 'excluded name', altNames: { dns: ['secret.example.com'] }, code: 'san_not_allowed' },
  { name: 'excluded, upper case', altNames: { dns: ['SECRET.Example.com'] }, code: 'san_not_allowed' },
  { name: 'excluded, trailing dot', altNames: { dns: ['secret.example.com.'] }, code: 'san_not_allowed' },
  { name: 'excluded subdomain', altNames: { dns: ['db.secret.example.com'] }, code: 'san_not_allowed' },
  { name: 'excluded IDN, unicode form', altNames: { dns: ['München.example.com'] }, code: 'san_not_allowed' },
  {
    name: 'excluded IDN, punycode form',
    altNames: { dns: ['xn--mnchen-3ya.example.com'] },
    code: 'san_not_allowed',
  },
  {
    name: 'excluded name hidden among allowed ones',
    altNames: { dns: ['ok.example.com', 'secret.example.com'] },
    code: 'san_not_allowed',
  },
  { name: 'wildcard not allowed', altNames: { dns: ['*.shop.example.com'] }, code: 'wildcard_not_allowed' },
  {
    name: 'wildcard not allowed, upper case + dot',
    altNames: { dns: ['*.WWW.example.com.'] },
    code: 'wildcard_not_allowed',
  },
  {
    name: 'wildcard covering an excluded name',
    wildcards: true,
    altNames: { dns: ['*.example.com'] },
    code: 'san_not_allowed',
  },
  {
    name: 'wildcard below an excluded name',
    wildcards: true,
    altNames: { dns: ['*.secret.example.com'] },
    code: 'san_not_allowed',
  },
  {
    name: 'CN outside profile',
    subject: { commonName: 'evil.com' },
    altNames: { dns: ['www.example.com'] },
    code: 'san_not_allowed',
  },
  {
    name: 'CN that is not a host name',
    subject: { commonName: 'My Service' },
    altNames: { dns: ['www.example.com'] },
    code: 'invalid_name',
  },
  { name: 'underscore label', altNames: { dns: ['a_b.example.com'] }, code: 'invalid_name' },
  {
    name: 'IP SAN not allowed by profile',
    altNames: { dns: ['www.example.com'], ip: ['10.0.0.1'] },
    code: 'san_type_not_allowed',
  },
  {
    name: 'email SAN not allowed by profile',
    altNames: { email: ['ops@example.com'] },
    code: 'san_type_not_allowed',
  },
  { name: 'no names at all', code: 'subject_alt_name_required' },
  {
    name: 'CA:true requested',
    altNames: { dns: ['ca.example.com'] },
    csr: { ca: {} },
    code: 'ca_not_allowed',
  },
  {
    name: 'CA:true with pathLen requested',
    altNames: { dns: ['ca.example.com'] },
    csr: { ca: { pathLength: 0 } },
    code: 'ca_not_allowed',
  },
  { name: 'weak RSA-1024 key (CSR made by openssl)', external: rsa1024Csr, code: 'key_too_weak' },
  {
    name: 'extra EKU (codeSigning)',
    altNames: { dns: ['www.example.com'] },
    csr: { extendedKeyUsages: [EKU_OIDS.serverAuth, EKU_OIDS.codeSigning] },
    code: 'eku_not_allowed',
  },
  {
    name: 'keyCertSign requested',
    altNames: { dns: ['www.example.com'] },
    csr: { keyUsages: ['digitalSignature', 'keyCertSign'] },
    code: 'key_usage_not_allowed',
  },
  {
    name: 'name constraints requested',
    altNames: { dns: ['www.example.com'] },
    csr: {
      extraExtensions: [
        new pkijs.Extension({
          extnID: OID.nameConstraints,
          critical: true,
          extnValue: new pkijs.NameConstraints({
            permittedSubtrees: [
              new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 2, value: 'example.com' }) }),
            ],
          })
            .toSchema()
            .toBER(),
        }),
      ],
    },
    code: 'extension_not_allowed',
  },
  {
    name: 'otherName SAN (unsupported type)',
    csr: {
      extraExtensions: [
        new pkijs.Extension({
          extnID: OID.subjectAltName,
          extnValue: new pkijs.GeneralNames({
            names: [new pkijs.GeneralName({ type: 4, value: new pkijs.RelativeDistinguishedNames() })],
          })
            .toSchema()
            .toBER(),
        }),
      ],
    },
    code: 'san_type_not_allowed',
  },
];

describe('CSR acceptance table', () => {
  it.each(accepted)('accepts: $name', async (row) => {
    const { certificate } = await issue(row);
    expect(certificateAltNames(certificate.certificate).dns).toEqual(row.expectDns);
    if (row.expectCn)
      expect(certificate.certificate.subject.typesAndValues.map((tv) => tv.value.valueBlock.value)).toContain(
        row.expectCn,
      );
    if (row.expectEku)
      expect(readExtKeyUsage(findExtension(certificate.certificate.extensions, OID.extKeyUsage)!)).toEqual(
        row.expectEku,
      );
  });

  it.each(refused)('refuses: $name → $code', async (row) => {
    const csr = row.external ? await row.external() : await csrFor(row);
    await expect(
      issueFromCsr({ ca, profile: row.wildcards ? wildcardProfile : profile, clock, csr }),
    ).rejects.toMatchObject({ name: 'PkiError', code: row.code });
  });

  it('never copies CSR extensions it does not understand', async () => {
    const foreign = new pkijs.Extension({
      extnID: '1.2.3.4.5',
      critical: false,
      extnValue: new asn1js.Utf8String({ value: 'x' }).toBER(),
    });
    const result = await issue({
      name: 'foreign',
      altNames: { dns: ['x.example.com'] },
      csr: { extraExtensions: [foreign] },
    });
    expect(result.ignoredCsrExtensions).toEqual(['1.2.3.4.5']);
    expect(findExtension(result.certificate.certificate.extensions, '1.2.3.4.5')).toBeUndefined();
  });

  it('never copies CSR subject attributes other than a checked CN', async () => {
    const { certificate } = await issue({
      name: 'subject',
      subject: { organization: 'Google LLC', commonName: 'x.example.com' },
    });
    expect(certificate.certificate.subject.typesAndValues.map((tv) => tv.type)).toEqual([OID.commonName]);
  });
});

/** A weak key from an independent tool: the refusal must come from our key check, not from our own CSR builder. */
async function rsa1024Csr(): Promise<string> {
  const dir = scratchDir();
  try {
    const key = `${dir.path}/weak.key`;
    expect(
      openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', key]).status,
    ).toBe(0);
    const req = openssl([
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=weak.example.com',
      '-addext',
      'subjectAltName=DNS:weak.example.com',
    ]);
    expect(req.status).toBe(0);
    return req.stdout;
  } finally {
    dir.cleanup();
  }
}

describe('parseCsr', () => {
  it('reads what it needs from a CSR made by openssl and verifies its signature', async () => {
    const dir = scratchDir();
    try {
      const key = `${dir.path}/k.pem`;
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
      const req = openssl([
        'req',
        '-new',
        '-key',
        key,
        '-subj',
        '/O=Acme/CN=svc.example.com',
        '-addext',
        'subjectAltName=DNS:svc.example.com,IP:10.1.2.3,email:a@example.com',
      ]);
      const csr = await parseCsr(req.stdout);
      expect(csr.commonNames).toEqual(['svc.example.com']);
      expect(csr.altNames).toEqual({
        dns: ['svc.example.com'],
        ip: ['10.1.2.3'],
        uri: [],
        email: ['a@example.com'],
      });
      expect(csr.key).toEqual({ family: 'ecdsa', curve: 'P-256', bits: 256 });
    } finally {
      dir.cleanup();
    }
  });

  it('produces CSRs that openssl req -verify accepts', async () => {
    const { pem } = await createCsr({
      signer: await testSigner('ed25519', 'csr'),
      subject: { commonName: 'x.example.com' },
      altNames: { dns: ['x.example.com'] },
    });
    const result = openssl(['req', '-verify', '-noout', '-text'], pem);
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/verify OK|Certificate request self-signature verify OK/);
    expect(result.output).toContain('DNS:x.example.com');
  });

  it.each<[string, string | Uint8Array, PkiErrorCode]>([
    ['wrong PEM label', pemEncode('CERTIFICATE', new Uint8Array([0x30, 0x00])), 'malformed_pem'],
    [
      'broken base64',
      '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n',
      'malformed_pem',
    ],
    ['no PEM at all', 'hello', 'malformed_pem'],
    ['truncated DER', new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x02]), 'malformed_der'],
    ['DER of the wrong structure', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), 'malformed_der'],
    ['oversized input', new Uint8Array(17 * 1024), 'input_too_large'],
  ])('refuses %s', async (_name, input, code) => {
    await expect(parseCsr(input)).rejects.toMatchObject({ code });
  });

  it('refuses trailing bytes after a valid CSR', async () => {
    const { der } = await createCsr({
      signer: await testSigner('ecdsa-p256', 'csr'),
      subject: { commonName: 'x.example.com' },
    });
    await expect(parseCsr(new Uint8Array([...der, 0]))).rejects.toMatchObject({ code: 'malformed_der' });
  });
});
