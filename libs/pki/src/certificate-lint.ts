import { isIP } from 'node:net';
import { canonicalizeDnsName, isSameOrSubdomain } from './alt-names';
import {
  BR_MAX_TLS_SERVER_VALIDITY_SECONDS,
  keyUsagesInvalidFor,
  MAX_ALT_NAMES,
} from './certificate-profile';
import { bytesEqual } from './der-encoding';
import { commonNamesIn } from './distinguished-name';
import {
  authorityKeyIdFromValue,
  basicConstraintsFromValue,
  certificatePolicyOidsFromValue,
  extKeyUsageFromValue,
  KeyUsage,
  keyUsageFromValue,
  subjectKeyIdFromValue,
} from './extension-values';
import { readNameConstraints } from './extensions';
import { KeyDescription } from './key-type';
import { EKU_OIDS, OID } from './oids';
import { rsaKeyWeakness, rsaPublicNumbers } from './rsa-key-check';
import { signatureAlgorithmFor } from './signature-algorithm';
import { TbsCertificate, tbsAltNames, tbsExtension } from './tbs-certificate';

export interface LintFinding {
  rule: string;
  message: string;
}

/** What the certificate is supposed to be; derived from a profile or a CA template. */
export interface LintPolicy {
  kind: 'leaf' | 'ca';
  maxValiditySeconds: number;
  allowedKeyUsages: readonly KeyUsage[];
  /** OIDs; empty → the certificate must not carry an EKU extension. */
  allowedExtendedKeyUsages: readonly string[];
  requireSubjectAltName: boolean;
  /** false: the CN is a label (client / code-signing profiles), not a copy of a SAN. Default true. */
  commonNameInSan?: boolean;
  /** Certificate policy OIDs the certificate must carry exactly (none → no certificatePolicies). */
  policyOids?: readonly string[];
}

/** The issuing CA as the linter needs it (for a self-signed root: the root itself). */
export interface LintIssuer {
  /** DER Name. */
  subject: Uint8Array;
  publicKey: KeyDescription;
  keyIdentifier: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  pathLength?: number;
  nameConstraints?: ReturnType<typeof readNameConstraints>;
  selfSigned: boolean;
}

const KNOWN_EXTENSIONS = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.basicConstraints,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.authorityInfoAccess,
  OID.crlDistributionPoints,
  OID.ocspNoCheck,
  OID.certificatePolicies,
]);

/** RFC 5280 4.1.2.5: the validity period includes both ends. */
export function validityPeriodSeconds(certificate: { notBefore: Date; notAfter: Date }): number {
  return (certificate.notAfter.getTime() - certificate.notBefore.getTime()) / 1000 + 1;
}

/**
 * Pre-issuance lint (in the spirit of zlint / certlint), run on the to-be-signed certificate whose DER
 * the CA then signs: returns every problem found, empty when the certificate may be signed.
 */
export function lintCertificate(
  certificate: TbsCertificate,
  signatureAlgorithmOid: string,
  issuer: LintIssuer,
  policy: LintPolicy,
): LintFinding[] {
  const findings: LintFinding[] = [];
  const report = (rule: string, message: string) => findings.push({ rule, message });
  const extensions = certificate.extensions;
  const ext = (oid: string) => tbsExtension(certificate, oid);
  const run = (rule: string, check: () => void) => {
    try {
      check();
    } catch (error) {
      report(rule, `extension does not decode: ${(error as Error).message}`);
    }
  };

  // --- structure (RFC 5280 4.1)
  if (certificate.version !== 2) report('version_v3', 'certificate must be X.509 v3');
  const serial = certificate.serial;
  if (serial.length === 0 || serial[0]! & 0x80) report('serial_positive', 'serial number must be positive');
  if (serial.every((b) => b === 0)) report('serial_nonzero', 'serial number must not be zero');
  if (serial.length > 20) report('serial_length', 'serial number exceeds 20 octets (RFC 5280 4.1.2.2)');
  if (serial.length < 9)
    report('serial_entropy', 'serial number shorter than 64 bits of entropy plus sign (BR 7.1)');
  if (certificate.signatureAlgorithmOid !== signatureAlgorithmOid) {
    report(
      'signature_algorithm_match',
      'tbsCertificate.signature differs from signatureAlgorithm (RFC 5280 4.1.1.2)',
    );
  }
  if (certificate.signatureAlgorithmOid !== signatureAlgorithmFor(issuer.publicKey).algorithmId) {
    report('signature_algorithm_issuer_key', 'signature algorithm does not match the issuer key');
  }
  if (!bytesEqual(certificate.issuer, issuer.subject))
    report('issuer_name_match', 'issuer name is not the CA subject, byte for byte');
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.oid)) report('duplicate_extension', `extension ${e.oid} appears twice (RFC 5280 4.2)`);
    seen.add(e.oid);
    if (!KNOWN_EXTENSIONS.has(e.oid))
      report('unknown_extension', `extension ${e.oid} is not one this CA issues`);
  }

  // --- validity
  const notBefore = certificate.notBefore.getTime();
  const notAfter = certificate.notAfter.getTime();
  const period = validityPeriodSeconds(certificate);
  if (notAfter <= notBefore) report('validity_order', 'notAfter must be after notBefore');
  if (period > policy.maxValiditySeconds)
    report('validity_max', `validity ${period}s exceeds the maximum of ${policy.maxValiditySeconds}s`);
  if (
    !issuer.selfSigned &&
    (notAfter > issuer.notAfter.getTime() || notBefore < issuer.notBefore.getTime())
  ) {
    report('validity_within_issuer', 'validity extends beyond the issuing CA certificate');
  }

  // --- subject key (BR 6.1.5 / 6.1.6)
  run('rsa_key_parameters', () => {
    const { key, keyBits } = certificate.publicKey;
    if (key.family !== 'rsa') return;
    const { modulus, exponent } = rsaPublicNumbers(keyBits);
    const weakness =
      rsaKeyWeakness(modulus, exponent) ??
      (key.bits < 2048 ? `RSA-${key.bits} is below 2048 bits` : undefined);
    if (weakness) report('rsa_key_parameters', `RSA key: ${weakness}`);
  });

  // --- certificate policies (RFC 5280 4.2.1.4): exactly the policy's OIDs, or none
  const policiesExt = ext(OID.certificatePolicies);
  run('certificate_policies', () => {
    const expected = [...(policy.policyOids ?? [])].sort();
    const actual = policiesExt ? certificatePolicyOidsFromValue(policiesExt.value).sort() : [];
    if (policiesExt?.critical)
      report('certificate_policies', 'certificatePolicies must not be critical here');
    if (expected.join() !== actual.join())
      report(
        'certificate_policies',
        `certificate policies ${actual.join(', ') || '(none)'} differ from ${expected.join(', ') || '(none)'}`,
      );
  });

  // --- key identifiers (RFC 5280 4.2.1.1 / 4.2.1.2)
  const skiExt = ext(OID.subjectKeyIdentifier);
  if (!skiExt) report('ski_present', 'subjectKeyIdentifier missing');
  const akiExt = ext(OID.authorityKeyIdentifier);
  if (!akiExt) report('aki_present', 'authorityKeyIdentifier missing');
  else
    run('aki_matches_issuer', () => {
      const aki = authorityKeyIdFromValue(akiExt.value);
      if (!aki || !bytesEqual(aki, issuer.keyIdentifier))
        report('aki_matches_issuer', 'authorityKeyIdentifier is not the issuer key id');
    });
  if (skiExt && issuer.selfSigned) {
    run('ski_self_signed', () => {
      if (!bytesEqual(subjectKeyIdFromValue(skiExt.value), issuer.keyIdentifier))
        report('ski_self_signed', 'self-signed SKI/AKI mismatch');
    });
  }

  // --- basic constraints (RFC 5280 4.2.1.9)
  const bcExt = ext(OID.basicConstraints);
  run('basic_constraints', () => {
    const bc: { ca: boolean; pathLength?: number } = bcExt
      ? basicConstraintsFromValue(bcExt.value)
      : { ca: false };
    if (policy.kind === 'leaf' && bc.ca) report('leaf_not_ca', 'end-entity certificate has CA:TRUE');
    if (policy.kind === 'ca') {
      if (!bcExt?.critical || !bc.ca)
        report('ca_basic_constraints', 'CA certificate needs a critical basicConstraints with CA:TRUE');
      if (
        !issuer.selfSigned &&
        issuer.pathLength !== undefined &&
        (bc.pathLength === undefined || bc.pathLength >= issuer.pathLength)
      ) {
        report('path_length', `pathLen must be below the issuer's ${issuer.pathLength}`);
      }
    }
  });

  // --- key usage (RFC 5280 4.2.1.3)
  const subjectKey = certificate.publicKey.key;
  const kuExt = ext(OID.keyUsage);
  if (!kuExt) report('key_usage_present', 'keyUsage missing');
  else
    run('key_usage', () => {
      const usages = keyUsageFromValue(kuExt.value);
      if (usages.length === 0) report('key_usage_present', 'keyUsage is empty');
      const notAllowed = usages.filter((u) => !policy.allowedKeyUsages.includes(u));
      if (notAllowed.length)
        report('key_usage_allowed', `key usages outside policy: ${notAllowed.join(', ')}`);
      const invalid = usages.filter((u) => keyUsagesInvalidFor(subjectKey).includes(u));
      if (invalid.length)
        report(
          'key_usage_key_type',
          `key usages invalid for a ${subjectKey.family} key: ${invalid.join(', ')}`,
        );
      if (policy.kind === 'ca' && !usages.includes('keyCertSign'))
        report('ca_key_cert_sign', 'CA certificate without keyCertSign');
      if (policy.kind === 'leaf' && (usages.includes('keyCertSign') || usages.includes('cRLSign'))) {
        report('leaf_key_cert_sign', 'end-entity certificate with keyCertSign / cRLSign');
      }
    });

  // --- extended key usage (RFC 5280 4.2.1.12)
  const ekuExt = ext(OID.extKeyUsage);
  let ekus: string[] = [];
  if (ekuExt)
    run('eku', () => {
      ekus = extKeyUsageFromValue(ekuExt.value);
      const notAllowed = ekus.filter((oid) => !policy.allowedExtendedKeyUsages.includes(oid));
      if (notAllowed.length)
        report('eku_allowed', `extended key usages outside policy: ${notAllowed.join(', ')}`);
    });
  const tlsServer = ekus.includes(EKU_OIDS.serverAuth);
  if (policy.kind === 'leaf' && tlsServer && period > BR_MAX_TLS_SERVER_VALIDITY_SECONDS) {
    report('br_tls_server_validity', `TLS server certificate valid ${period}s, above 398 days (BR 6.3.2)`);
  }

  // --- names (RFC 5280 4.2.1.6, BR 7.1.4)
  const sanExt = ext(OID.subjectAltName);
  const commonNames = commonNamesIn(certificate.subjectAttributes);
  run('san', () => {
    const names = tbsAltNames(certificate);
    const total = names.dns.length + names.ip.length + names.uri.length + names.email.length;
    if (policy.kind === 'leaf' && policy.requireSubjectAltName && total === 0)
      report('san_present', 'end-entity certificate without SAN');
    if (total > MAX_ALT_NAMES)
      report('san_count', `${total} subject alternative names, above ${MAX_ALT_NAMES}`);
    if (sanExt && certificate.subjectAttributes.length === 0 && !sanExt.critical) {
      report('san_critical', 'SAN must be critical when the subject is empty');
    }
    for (const dns of names.dns) {
      let canonical = '';
      try {
        canonical = canonicalizeDnsName(dns, { allowWildcard: true });
      } catch {
        /* reported below */
      }
      if (canonical !== dns) report('san_dns_canonical', `DNS SAN ${dns} is not in canonical form`);
    }
    // BR 7.1.4.3: a CN is a copy of a SAN. Only for name-bearing leaves: a delegated OCSP responder's
    // CN is a label, and it carries no SAN at all.
    if (
      policy.kind === 'leaf' &&
      policy.commonNameInSan !== false &&
      (policy.requireSubjectAltName || total > 0)
    ) {
      if (commonNames.length > 1) report('cn_single', 'more than one common name');
      for (const cn of commonNames) {
        if (!(isIP(cn) ? names.ip : names.dns).includes(cn))
          report('cn_in_san', `common name ${cn} is not among the SANs`);
      }
    }
    if (issuer.nameConstraints)
      lintNameConstraints(
        names.dns,
        names.ip.length + names.uri.length + names.email.length,
        issuer.nameConstraints,
        report,
      );
  });
  return findings;
}

/** RFC 5280 4.2.1.10 for dNSName: a name is inside a subtree if it equals it or is below it. */
function lintNameConstraints(
  dnsNames: string[],
  otherNameCount: number,
  constraints: ReturnType<typeof readNameConstraints>,
  report: (rule: string, message: string) => void,
): void {
  for (const name of dnsNames) {
    const base = name.startsWith('*.') ? name.slice(2) : name;
    if (
      constraints.excludedDns.some(
        (e) => isSameOrSubdomain(base, e) || (name !== base && isSameOrSubdomain(e, base)),
      )
    ) {
      report('name_constraints_excluded', `${name} is excluded by the issuing CA's name constraints`);
    }
    if (
      constraints.permittedDns.length &&
      !constraints.permittedDns.some((p) => isSameOrSubdomain(base, p))
    ) {
      report('name_constraints_permitted', `${name} is outside the issuing CA's permitted subtrees`);
    }
  }
  if (constraints.otherTypes.length && otherNameCount > 0) {
    report(
      'name_constraints_unevaluated',
      'the issuing CA constrains name types this linter does not evaluate',
    );
  }
}
