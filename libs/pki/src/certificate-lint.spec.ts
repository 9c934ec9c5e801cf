import * as pkijs from 'pkijs';
import { CertificateAuthority } from './certificate-authority';
import { LintPolicy } from './certificate-lint';
import { CertificateTemplate, signCertificate } from './certificate-signing';
import { nameToDer } from './distinguished-name';
import {
  basicConstraintsExtension,
  extensionDer,
  extKeyUsageExtension,
  KeyUsage,
  keyUsageExtension,
  subjectAltNameExtension,
} from './extensions';
import { exportSpki, readSubjectPublicKeyInfo, SubjectPublicKey, subjectPublicKeyOf } from './key-type';
import { certificatePoliciesDer } from './leaf-extensions';
import { rsaNumbers, rsaSpkiDer } from './testing/raw-rsa';
import { EKU_OIDS } from './oids';
import { PkiError } from './pki-error';
import { Signer } from './signer';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { testKeyPair } from './testing/test-keys';
import { BR_MAX_TLS_SERVER_VALIDITY_SECONDS } from './certificate-profile';
import { emptyAltNames } from './alt-names';

const clock = new FakeClock();
const goodRsa = rsaNumbers();
let ca: CertificateAuthority;
let subjectKey: pkijs.PublicKeyInfo;
let realSignatures = 0;

const policy: LintPolicy = {
  kind: 'leaf',
  maxValiditySeconds: 500 * DAY,
  allowedKeyUsages: ['digitalSignature', 'keyEncipherment'],
  allowedExtendedKeyUsages: [EKU_OIDS.serverAuth],
  requireSubjectAltName: true,
};

beforeAll(async () => {
  const { intermediate } = await testHierarchy(clock, {
    label: 'lint',
    nameConstraints: { permittedDns: ['example.com'], excludedDns: ['secret.example.com'] },
  });
  // Count signatures made by the real CA key: a refused certificate must never get one.
  const counting: Signer = {
    ...intermediate.signer,
    sign: (data) => (realSignatures++, intermediate.signer.sign(data)),
  };
  ca = { ...intermediate, signer: counting };
  subjectKey = await exportSpki((await testKeyPair('ecdsa-p256', 'lint-subject')).publicKey);
});

interface Variant {
  dns?: string[];
  cn?: string;
  keyUsages?: KeyUsage[];
  ekus?: string[];
  ca?: boolean;
  days?: number;
  noSan?: boolean;
  publicKey?: SubjectPublicKey;
  extra?: Uint8Array[];
}

function template(v: Variant): CertificateTemplate {
  const notBefore = new Date(clock.now().getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (v.days ?? 30) * DAY * 1000 - 1000);
  const names = { ...emptyAltNames(), dns: v.dns ?? ['www.example.com'] };
  return {
    subject: nameToDer(v.cn ? { commonName: v.cn } : {}),
    publicKey: v.publicKey ?? subjectPublicKeyOf(subjectKey),
    notBefore,
    notAfter,
    extensions: [
      basicConstraintsExtension(v.ca ?? false),
      keyUsageExtension(v.keyUsages ?? ['digitalSignature']),
      extKeyUsageExtension(v.ekus ?? [EKU_OIDS.serverAuth]),
      ...(v.noSan ? [] : [subjectAltNameExtension(names, !v.cn)]),
    ]
      .map(extensionDer)
      .concat(v.extra ?? []),
  };
}

async function lintRules(v: Variant, lintPolicy: LintPolicy = policy): Promise<string[]> {
  const before = realSignatures;
  try {
    await signCertificate(template(v), ca, lintPolicy);
    expect(realSignatures).toBe(before + 1);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).code).toBe('lint_failed');
    expect(realSignatures).toBe(before); // the CA key never signed
    return ((error as PkiError).details as Array<{ rule: string }>).map((f) => f.rule);
  }
}

describe('pre-issuance lint', () => {
  it('passes a well-formed leaf (and only then signs with the CA key)', async () => {
    expect(await lintRules({ cn: 'www.example.com' })).toEqual([]);
  });

  it.each<[string, Variant, string]>([
    [
      'keyEncipherment on an EC key',
      { keyUsages: ['digitalSignature', 'keyEncipherment'] },
      'key_usage_key_type',
    ],
    ['key usage outside policy', { keyUsages: ['digitalSignature', 'nonRepudiation'] }, 'key_usage_allowed'],
    ['keyCertSign on a leaf', { keyUsages: ['digitalSignature', 'keyCertSign'] }, 'leaf_key_cert_sign'],
    ['CA bit on a leaf', { ca: true }, 'leaf_not_ca'],
    ['EKU outside policy', { ekus: [EKU_OIDS.serverAuth, EKU_OIDS.codeSigning] }, 'eku_allowed'],
    ['no SAN on a leaf', { noSan: true, cn: 'www.example.com' }, 'san_present'],
    ['CN missing from SANs', { cn: 'other.example.com' }, 'cn_in_san'],
    ['non-canonical SAN', { dns: ['WWW.example.com'] }, 'san_dns_canonical'],
    ['outside the CA permitted subtree', { dns: ['www.example.org'] }, 'name_constraints_permitted'],
    ['inside a CA excluded subtree', { dns: ['db.secret.example.com'] }, 'name_constraints_excluded'],
    ['wildcard spanning a CA excluded subtree', { dns: ['*.example.com'] }, 'name_constraints_excluded'],
    ['TLS server validity above 398 days', { days: 399 }, 'br_tls_server_validity'],
    ['validity above the policy maximum', { days: 501 }, 'validity_max'],
  ])('refuses %s', async (_name, variant, rule) => {
    expect(await lintRules(variant)).toContain(rule);
  });

  it.each<[string, Variant]>([
    [
      'an RSA key with e = 3',
      {
        publicKey: readSubjectPublicKeyInfo(rsaSpkiDer(goodRsa.n, 3n)),
        keyUsages: ['digitalSignature', 'keyEncipherment'],
      },
    ],
    [
      'an RSA key with an even modulus',
      {
        publicKey: readSubjectPublicKeyInfo(rsaSpkiDer(goodRsa.n * 2n, 65537n)),
        keyUsages: ['digitalSignature'],
      },
    ],
    [
      'an RSA key with a small factor',
      {
        publicKey: readSubjectPublicKeyInfo(rsaSpkiDer(goodRsa.n * 7n, 65537n)),
        keyUsages: ['digitalSignature'],
      },
    ],
  ])('refuses %s (rsa_key_parameters)', async (_name, variant) => {
    expect(await lintRules(variant)).toContain('rsa_key_parameters');
  });

  it('refuses more than 100 SANs, and certificate policies other than the policy names', async () => {
    expect(await lintRules({ dns: Array.from({ length: 101 }, (_, i) => `h${i}.example.com`) })).toContain(
      'san_count',
    );
    const policies = certificatePoliciesDer(['1.3.6.1.4.1.99999.1']);
    expect(await lintRules({ extra: [policies] })).toContain('certificate_policies');
    expect(
      await lintRules({ extra: [policies] }, { ...policy, policyOids: ['1.3.6.1.4.1.99999.1'] }),
    ).toEqual([]);
    expect(await lintRules({}, { ...policy, policyOids: ['1.3.6.1.4.1.99999.1'] })).toContain(
      'certificate_policies',
    );
  });

  it('a text CN need not be a SAN when the policy says so', async () => {
    expect(await lintRules({ cn: 'billing service' })).toContain('cn_in_san');
    expect(await lintRules({ cn: 'billing service' }, { ...policy, commonNameInSan: false })).toEqual([]);
  });

  it('accepts exactly 398 days for a TLS server certificate', async () => {
    expect(BR_MAX_TLS_SERVER_VALIDITY_SECONDS).toBe(398 * DAY);
    expect(await lintRules({ days: 398 })).toEqual([]);
  });

  it('refuses validity beyond the issuing CA', async () => {
    const long = { ...policy, maxValiditySeconds: 10_000 * DAY };
    const t = template({});
    t.notAfter = new Date(ca.certificate.notAfter.value.getTime() + 1000);
    await expect(signCertificate(t, ca, long)).rejects.toMatchObject({
      code: 'lint_failed',
      details: expect.arrayContaining([expect.objectContaining({ rule: 'validity_within_issuer' })]),
    });
  });
});
