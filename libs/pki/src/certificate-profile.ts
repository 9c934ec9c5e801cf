import { isIP } from 'node:net';
import {
  AltNames,
  canonicalizeAltNames,
  canonicalizeDnsName,
  canonicalizeEmail,
  canonicalizeIp,
  canonicalizeUri,
  ipRangeMatcher,
  isSameOrSubdomain,
  SAN_TYPES,
  SanType,
  altNamesCount,
} from './alt-names';
import { DistinguishedName, nameToDer } from './distinguished-name';
import { ekuName, KEY_USAGES, KeyUsage } from './extensions';
import { KeyDescription, KeyFamily, SubjectPublicKey } from './key-type';
import { EKU_OIDS, ExtendedKeyUsage } from './oids';
import { PkiError } from './pki-error';
import { assertPublicKeySound } from './rsa-key-check';

/** CA/B Forum BR 6.3.2: TLS server certificates issued after 2020-09-01 are valid ≤ 398 days. */
export const BR_MAX_TLS_SERVER_VALIDITY_SECONDS = 398 * 24 * 3600;

/** Where the issued subject's CN comes from. Other subject attributes only ever come from `fixed`. */
export type CommonNameSource = 'from-request' | 'first-dns-san' | 'omit';

/**
 * What a requested CN is. `dns`: a DNS name or IP address, checked like a SAN and duplicated into the
 * SANs (BR 7.1.4.3; what TLS server profiles need). `text`: a label such as a person's or a service's
 * name (client, code-signing, e-mail profiles), 1–64 printable characters, not a SAN.
 */
export type CommonNameFormat = 'dns' | 'text';

/** The most SANs one certificate may carry, whatever the channel (API fields, CSR, both merged). */
export const MAX_ALT_NAMES = 100;

/**
 * Purposes a customer profile can never grant: only the platform issues OCSP-signing certificates
 * (ocsp-signer.ts), and time-stamping / anyExtendedKeyUsage are refused by policy.
 */
export const RESERVED_EKUS: readonly ExtendedKeyUsage[] = [
  'ocspSigning',
  'timeStamping',
  'anyExtendedKeyUsage',
];

/**
 * A role: what a caller may obtain from one CA. Profiles are allow-lists; anything a request asks for
 * beyond them is refused, and nothing from a CSR is copied into a certificate except the public key,
 * the (checked) names and the (checked) subset of key usages / EKUs.
 */
export interface CertificateProfile {
  readonly name: string;
  /** Canonical base domains. */
  readonly allowedDomains: readonly string[];
  /** Canonical domains refused together with everything under them; evaluated before the allow-list. */
  readonly excludedDomains: readonly string[];
  /** Allow a name equal to an allowed domain. */
  readonly allowBareDomains: boolean;
  /** Allow names below an allowed domain (any depth). */
  readonly allowSubdomains: boolean;
  /** Allow "*.x" names; they also need `allowSubdomains`, since "*.x" stands for names below x. */
  readonly allowWildcards: boolean;
  readonly allowedSanTypes: readonly SanType[];
  /** CIDRs for iPAddress SANs (none → no IP SAN can pass). */
  readonly allowedIpRanges: readonly string[];
  /** Lower-case URI schemes (e.g. "spiffe", "https"); URI hosts are checked like DNS names. */
  readonly allowedUriSchemes: readonly string[];
  readonly allowedKeyTypes: readonly KeyFamily[];
  readonly minRsaBits: number;
  readonly minEcdsaBits: number;
  readonly maxTtlSeconds: number;
  readonly keyUsages: readonly KeyUsage[];
  readonly extendedKeyUsages: readonly ExtendedKeyUsage[];
  readonly subjectTemplate: {
    readonly fixed: Omit<DistinguishedName, 'commonName'>;
    readonly commonName: CommonNameSource;
  };
  /** Defaults to `dns` for profiles granting serverAuth, `text` otherwise; `text` is refused with serverAuth. */
  readonly commonNameFormat: CommonNameFormat;
  readonly requireSubjectAltName: boolean;
  /** Dotted certificate policy OIDs, written into a non-critical certificatePolicies extension (RFC 5280 4.2.1.4). */
  readonly policyOids: readonly string[];
}

export type CertificateProfileInput = Partial<Omit<CertificateProfile, 'name' | 'maxTtlSeconds'>> & {
  name: string;
  maxTtlSeconds: number;
};

const fail = (message: string) => new PkiError('invalid_profile', message);

/** Validate and canonicalize a profile definition; defaults describe a TLS server role. */
export function defineProfile(input: CertificateProfileInput): CertificateProfile {
  const extendedKeyUsages = [...(input.extendedKeyUsages ?? ['serverAuth'])];
  const keyUsages = [...(input.keyUsages ?? ['digitalSignature', 'keyEncipherment'])];
  if (!Number.isInteger(input.maxTtlSeconds) || input.maxTtlSeconds <= 0)
    throw fail('maxTtlSeconds must be a positive integer');
  if (extendedKeyUsages.includes('serverAuth') && input.maxTtlSeconds > BR_MAX_TLS_SERVER_VALIDITY_SECONDS) {
    throw fail('TLS server profiles cannot exceed 398 days (CA/B Forum BR 6.3.2)');
  }
  for (const eku of extendedKeyUsages) {
    if (RESERVED_EKUS.includes(eku))
      throw new PkiError('eku_reserved', `extended key usage ${eku} cannot be granted by a profile`, { eku });
    if (!(eku in EKU_OIDS)) throw fail(`unknown extended key usage ${eku}`);
  }
  const serverAuth = extendedKeyUsages.includes('serverAuth');
  const commonNameFormat = input.commonNameFormat ?? (serverAuth ? 'dns' : 'text');
  if (commonNameFormat !== 'dns' && commonNameFormat !== 'text')
    throw fail(`unknown common name format ${String(commonNameFormat)}`);
  if (commonNameFormat === 'text' && serverAuth)
    throw fail('a TLS server profile needs DNS common names (BR 7.1.4.3)');
  const policyOids = [...new Set(input.policyOids ?? [])];
  for (const oid of policyOids) if (!isPolicyOid(oid)) throw fail(`invalid certificate policy OID ${oid}`);
  if (policyOids.length > 20) throw fail('at most 20 certificate policies');
  const fixed = { ...(input.subjectTemplate?.fixed ?? {}) };
  if ('commonName' in fixed) throw fail('the subject template cannot fix the common name');
  try {
    nameToDer(fixed); // refuses a bad C (ISO 3166 alpha-2), an oversized O / ST / L … when the profile is saved, not at issuance
  } catch (error) {
    throw fail(`subject template: ${(error as Error).message}`);
  }
  for (const ku of keyUsages) if (!KEY_USAGES.includes(ku)) throw fail(`unknown key usage ${ku}`);
  if (keyUsages.length === 0) throw fail('a profile needs at least one key usage');
  if (keyUsages.includes('keyCertSign') || keyUsages.includes('cRLSign'))
    throw fail('leaf profiles cannot grant keyCertSign / cRLSign');
  const minRsaBits = input.minRsaBits ?? 2048;
  if (minRsaBits < 2048) throw fail('minRsaBits below 2048 is not allowed');
  const allowedSanTypes = [...(input.allowedSanTypes ?? ['dns'])];
  for (const t of allowedSanTypes) if (!SAN_TYPES.includes(t)) throw fail(`unknown SAN type ${t}`);
  const canonicalDomains = (list: readonly string[] | undefined) =>
    (list ?? []).map((d) => {
      try {
        return canonicalizeDnsName(d);
      } catch {
        throw fail(`invalid domain in profile: ${d}`);
      }
    });
  const allowedIpRanges = [...(input.allowedIpRanges ?? [])];
  ipRangeMatcher(allowedIpRanges); // throws on a bad CIDR
  return Object.freeze({
    name: input.name,
    allowedDomains: canonicalDomains(input.allowedDomains),
    excludedDomains: canonicalDomains(input.excludedDomains),
    allowBareDomains: input.allowBareDomains ?? true,
    allowSubdomains: input.allowSubdomains ?? false,
    allowWildcards: input.allowWildcards ?? false,
    allowedSanTypes,
    allowedIpRanges,
    allowedUriSchemes: (input.allowedUriSchemes ?? []).map((s) => s.toLowerCase()),
    allowedKeyTypes: [...(input.allowedKeyTypes ?? ['ecdsa', 'rsa', 'ed25519'])],
    minRsaBits,
    minEcdsaBits: Math.max(256, input.minEcdsaBits ?? 256),
    maxTtlSeconds: input.maxTtlSeconds,
    keyUsages,
    extendedKeyUsages,
    subjectTemplate: { fixed, commonName: input.subjectTemplate?.commonName ?? 'first-dns-san' },
    commonNameFormat,
    requireSubjectAltName: input.requireSubjectAltName ?? true,
    policyOids,
  });
}

/** A dotted OID of at least two arcs, first arc 0–2, no leading zeros. */
function isPolicyOid(oid: string): boolean {
  if (typeof oid !== 'string' || oid.length > 128 || !/^[0-2](\.(0|[1-9][0-9]*)){1,}$/.test(oid))
    return false;
  const second = Number(oid.split('.')[1]);
  return oid.startsWith('2.') || second < 40;
}

/** Extensions a CSR asked for, as far as policy is concerned (see certification-request.ts). */
export interface RequestedExtensions {
  ca?: boolean;
  keyUsages?: KeyUsage[];
  /** OIDs. */
  extendedKeyUsages?: string[];
  nameConstraints?: boolean;
  /** GeneralName tags of SANs we do not issue (otherName, directoryName, …). */
  unsupportedSanTypes?: number[];
}

/** Everything a subject asks for, whatever the channel (CSR, API fields, existing certificate). */
export interface SubjectRequest {
  publicKey: SubjectPublicKey;
  commonName?: string;
  altNames: Partial<AltNames>;
  requested?: RequestedExtensions;
}

/** The outcome of policy: exactly what will be certified. */
export interface ApprovedSubject {
  subject: DistinguishedName;
  altNames: AltNames;
  keyUsages: KeyUsage[];
  /** OIDs. */
  extendedKeyUsages: string[];
  key: KeyDescription;
}

/** Key usages that make no sense for a key family (RFC 8813 §3 for EC, RFC 8410 §5 for Ed25519). */
export function keyUsagesInvalidFor(key: KeyDescription): KeyUsage[] {
  if (key.family === 'ecdsa') return ['keyEncipherment', 'dataEncipherment'];
  if (key.family === 'ed25519')
    return ['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'encipherOnly', 'decipherOnly'];
  return ['keyAgreement', 'encipherOnly', 'decipherOnly'];
}

export function evaluateProfile(profile: CertificateProfile, request: SubjectRequest): ApprovedSubject {
  const requested = request.requested ?? {};
  // Extensions a CSR may not obtain at all: refuse rather than silently drop, so the caller learns why.
  if (requested.ca)
    throw new PkiError(
      'ca_not_allowed',
      `profile ${profile.name} issues end-entity certificates only (CSR asked for CA:TRUE)`,
    );
  if (requested.nameConstraints) throw new PkiError('extension_not_allowed', 'CSR asks for name constraints');
  if (requested.unsupportedSanTypes?.length) {
    throw new PkiError(
      'san_type_not_allowed',
      `unsupported SAN types requested (GeneralName tags ${requested.unsupportedSanTypes.join(', ')})`,
    );
  }

  const key = checkKey(profile, request.publicKey.key);
  assertPublicKeySound(request.publicKey);
  const requestedCount = SAN_TYPES.reduce((sum, type) => sum + (request.altNames[type]?.length ?? 0), 0);
  if (requestedCount > MAX_ALT_NAMES) {
    throw new PkiError(
      'too_many_names',
      `at most ${MAX_ALT_NAMES} subject alternative names per certificate (${requestedCount} requested)`,
    );
  }
  const keyUsages = grantKeyUsages(profile, key, requested.keyUsages);
  const extendedKeyUsages = grantExtendedKeyUsages(profile, requested.extendedKeyUsages);

  const altNames = canonicalizeAltNames(request.altNames);
  const cnSource = profile.subjectTemplate.commonName;
  let commonName: string | undefined;
  // A CN the profile omits is never looked at; a text CN is a label, not a name to check.
  if (request.commonName !== undefined && cnSource !== 'omit') {
    if (profile.commonNameFormat === 'text') {
      commonName = textCommonName(request.commonName);
    } else {
      commonName = canonicalCommonName(request.commonName);
      // The CN is checked like a SAN and must also be a SAN (BR 7.1.4.3 — CN is deprecated and duplicated).
      const list = isIP(commonName) ? altNames.ip : altNames.dns;
      if (!list.includes(commonName)) list.push(commonName);
    }
  }
  checkAltNames(profile, altNames);
  if (profile.requireSubjectAltName && altNamesCount(altNames) === 0) {
    throw new PkiError('subject_alt_name_required', 'at least one subject alternative name is required');
  }

  const subject: DistinguishedName = { ...profile.subjectTemplate.fixed };
  if (cnSource === 'from-request' && commonName !== undefined) subject.commonName = commonName;
  if (cnSource === 'first-dns-san' && (commonName ?? altNames.dns[0]) !== undefined)
    subject.commonName = commonName ?? altNames.dns[0]!;
  return { subject, altNames, keyUsages, extendedKeyUsages, key };
}

function textCommonName(cn: string): string {
  const value = cn.trim();
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > 64 || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
    throw new PkiError('invalid_name', 'common name must be 1..64 printable characters', { value: cn });
  }
  return value;
}

function canonicalCommonName(cn: string): string {
  if (isIP(cn)) return canonicalizeIp(cn).text;
  try {
    return canonicalizeDnsName(cn, { allowWildcard: true });
  } catch (error) {
    if (error instanceof PkiError && error.code === 'invalid_name') {
      throw new PkiError('invalid_name', `common name must be a DNS name or IP address: ${cn}`, {
        value: cn,
      });
    }
    throw error;
  }
}

function checkKey(profile: CertificateProfile, key: KeyDescription): KeyDescription {
  if (!profile.allowedKeyTypes.includes(key.family)) {
    throw new PkiError(
      'key_type_not_allowed',
      `${key.family} keys are not allowed by profile ${profile.name}`,
    );
  }
  if (key.family === 'rsa' && key.bits < profile.minRsaBits) {
    throw new PkiError('key_too_weak', `RSA-${key.bits} is below the minimum of ${profile.minRsaBits} bits`);
  }
  if (key.family === 'rsa' && key.bits > 8192)
    throw new PkiError('key_type_not_allowed', `RSA-${key.bits} exceeds 8192 bits`);
  if (key.family === 'ecdsa' && key.bits < profile.minEcdsaBits) {
    throw new PkiError('key_too_weak', `${key.curve} is below the minimum of ${profile.minEcdsaBits} bits`);
  }
  return key;
}

function grantKeyUsages(
  profile: CertificateProfile,
  key: KeyDescription,
  requested: KeyUsage[] | undefined,
): KeyUsage[] {
  const extra = (requested ?? []).filter((ku) => !profile.keyUsages.includes(ku));
  if (extra.length)
    throw new PkiError('key_usage_not_allowed', `key usages not allowed by profile: ${extra.join(', ')}`, {
      extra,
    });
  const invalid = keyUsagesInvalidFor(key);
  // Requested usages narrow the grant; the profile's own list is filtered for the key family.
  const granted = (requested?.length ? requested : profile.keyUsages).filter((ku) => !invalid.includes(ku));
  if (granted.length === 0)
    throw new PkiError(
      'key_usage_not_allowed',
      `no key usage of profile ${profile.name} applies to a ${key.family} key`,
    );
  return granted;
}

function grantExtendedKeyUsages(profile: CertificateProfile, requested: string[] | undefined): string[] {
  const allowed = profile.extendedKeyUsages.map((name) => EKU_OIDS[name]);
  const extra = (requested ?? []).filter((oid) => !allowed.includes(oid as never));
  if (extra.length) {
    throw new PkiError(
      'eku_not_allowed',
      `extended key usages not allowed by profile: ${extra.map(ekuName).join(', ')}`,
      { extra },
    );
  }
  return requested?.length ? [...new Set(requested)] : allowed;
}

function checkAltNames(profile: CertificateProfile, names: AltNames): void {
  for (const type of SAN_TYPES) {
    if (names[type].length && !profile.allowedSanTypes.includes(type)) {
      throw new PkiError(
        'san_type_not_allowed',
        `${type} subject alternative names are not allowed by profile ${profile.name}`,
        { type },
      );
    }
  }
  for (const dns of names.dns) checkDomainName(profile, dns, dns);
  for (const email of names.email) checkDomainName(profile, canonicalizeEmail(email).split('@')[1]!, email);
  for (const uri of names.uri) {
    const { scheme, host } = canonicalizeUri(uri);
    if (!profile.allowedUriSchemes.includes(scheme))
      throw new PkiError('san_not_allowed', `URI scheme ${scheme} not allowed`, { value: uri });
    // A URN has no host to check against the domain lists: allowing the `urn` scheme allows URNs.
    if (scheme !== 'urn') checkDomainName(profile, host, uri);
  }
  if (names.ip.length) {
    const inRange = ipRangeMatcher(profile.allowedIpRanges);
    for (const ip of names.ip)
      if (!inRange(ip))
        throw new PkiError('san_not_allowed', `IP address ${ip} is outside the allowed ranges`, {
          value: ip,
        });
  }
}

/** `name` is canonical. Exclusions first: an excluded name is refused whatever the allow-list says. */
function checkDomainName(profile: CertificateProfile, name: string, original: string): void {
  const wildcard = name.startsWith('*.');
  const base = wildcard ? name.slice(2) : name;
  for (const excluded of profile.excludedDomains) {
    // A wildcard above an excluded name would cover it, so "*.example.com" is refused when
    // "secret.example.com" is excluded.
    if (isSameOrSubdomain(base, excluded) || (wildcard && isSameOrSubdomain(excluded, base))) {
      throw new PkiError('san_not_allowed', `${original} is excluded by profile ${profile.name}`, {
        value: original,
        excluded,
      });
    }
  }
  if (wildcard && !profile.allowWildcards) {
    throw new PkiError('wildcard_not_allowed', `wildcard names are not allowed by profile ${profile.name}`, {
      value: original,
    });
  }
  const permitted = profile.allowedDomains.some((domain) =>
    wildcard
      ? profile.allowSubdomains && isSameOrSubdomain(base, domain)
      : (profile.allowBareDomains && name === domain) ||
        (profile.allowSubdomains && name !== domain && isSameOrSubdomain(name, domain)),
  );
  if (!permitted)
    throw new PkiError('san_not_allowed', `${original} is not allowed by profile ${profile.name}`, {
      value: original,
    });
}
