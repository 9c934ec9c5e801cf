import * as pkijs from 'pkijs';
import { AltNames } from './alt-names';
import { CertificateAuthority, caChainPem } from './certificate-authority';
import { certificateAltNames, IssuedCertificate, parseCertificate } from './certificate';
import { LintPolicy } from './certificate-lint';
import { ApprovedSubject, CertificateProfile, evaluateProfile, SubjectRequest } from './certificate-profile';
import { signCertificate } from './certificate-signing';
import { parseCsr } from './certification-request';
import { Clock } from './clock';
import { bytesEqual, PemOrDer } from './der-encoding';
import { commonNamesOf, nameDer, nameToDer } from './distinguished-name';
import { extensionDer, IssuanceUrls, issuanceUrlExtensions } from './extensions';
import {
  certificatePoliciesDer,
  extKeyUsageDer,
  keyUsageDer,
  leafBasicConstraintsDer,
  subjectAltNameDer,
} from './leaf-extensions';
import {
  exportPkcs8,
  generateKeyPair,
  KeyType,
  readSubjectPublicKeyInfo,
  spkiDer,
  SubjectPublicKey,
  subjectPublicKeyOf,
} from './key-type';
import { EKU_OIDS } from './oids';
import { PkiError } from './pki-error';
import { BACKDATE_SECONDS, computeValidity } from './validity';

/** What every issuance needs besides the subject: the issuer, the role, time, and URLs to embed. */
export interface IssuanceContext {
  ca: CertificateAuthority;
  profile: CertificateProfile;
  clock: Clock;
  /** Requested lifetime; refused above the profile's maxTtl (`ttl_exceeds_profile`) or past the CA's notAfter (`ttl_exceeds_issuer`). */
  ttlSeconds?: number;
  urls?: IssuanceUrls;
}

export interface IssuanceResult {
  certificate: IssuedCertificate;
  /** Leaf's issuer chain (CA certificate first), PEM. */
  chainPem: string;
  /** Only for server-side key generation: PKCS#8 DER, handed out once and never stored by us. */
  privateKeyPkcs8?: ArrayBuffer;
  /** CSR extensions that were neither honoured nor refused (never copied); useful for audit. */
  ignoredCsrExtensions?: string[];
}

/** Extra names from API fields, checked exactly like the CSR's own. */
export interface SubjectNamesInput {
  commonName?: string;
  altNames?: Partial<AltNames>;
}

export function lintPolicyForProfile(profile: CertificateProfile): LintPolicy {
  return {
    kind: 'leaf',
    maxValiditySeconds: profile.maxTtlSeconds,
    allowedKeyUsages: profile.keyUsages,
    allowedExtendedKeyUsages: profile.extendedKeyUsages.map((name) => EKU_OIDS[name]),
    requireSubjectAltName: profile.requireSubjectAltName,
    commonNameInSan: profile.commonNameFormat === 'dns',
    policyOids: profile.policyOids,
  };
}

// AIA / CRL DP extensions are the same for every certificate of a CA: encode them once per URL set.
const urlExtensionCache = new Map<string, Uint8Array[]>();

function urlExtensions(urls: IssuanceUrls | undefined): Uint8Array[] {
  const key = JSON.stringify(urls ?? {});
  let cached = urlExtensionCache.get(key);
  if (!cached) {
    cached = issuanceUrlExtensions(urls).map(extensionDer);
    if (urlExtensionCache.size > 1000) urlExtensionCache.clear();
    urlExtensionCache.set(key, cached);
  }
  return cached;
}

/** End-entity extensions: exactly what policy approved, nothing taken over from the request. */
function leafExtensions(
  approved: ApprovedSubject,
  profile: CertificateProfile,
  urls: IssuanceUrls | undefined,
): Uint8Array[] {
  const sanCount =
    approved.altNames.dns.length +
    approved.altNames.ip.length +
    approved.altNames.uri.length +
    approved.altNames.email.length;
  return [
    leafBasicConstraintsDer(),
    keyUsageDer(approved.keyUsages),
    ...(approved.extendedKeyUsages.length ? [extKeyUsageDer(approved.extendedKeyUsages)] : []),
    ...(sanCount ? [subjectAltNameDer(approved.altNames, Object.keys(approved.subject).length === 0)] : []),
    ...(profile.policyOids.length ? [certificatePoliciesDer(profile.policyOids)] : []),
    ...urlExtensions(urls),
  ];
}

/** The single issuance path: profile → validity → template → lint + sign. */
async function certify(
  context: IssuanceContext,
  request: SubjectRequest,
  defaultTtlSeconds?: number,
): Promise<IssuanceResult> {
  const approved = evaluateProfile(context.profile, request);
  const issuerCert = context.ca.certificate;
  const validity = computeValidity({
    clock: context.clock,
    ...(context.ttlSeconds !== undefined && { ttlSeconds: context.ttlSeconds }),
    ...(defaultTtlSeconds !== undefined && { defaultTtlSeconds }),
    maxTtlSeconds: context.profile.maxTtlSeconds,
    issuer: { notBefore: issuerCert.notBefore.value, notAfter: issuerCert.notAfter.value },
  });
  const certificate = await signCertificate(
    {
      subject: nameToDer(approved.subject),
      publicKey: request.publicKey,
      ...validity,
      extensions: leafExtensions(approved, context.profile, context.urls),
    },
    context.ca,
    lintPolicyForProfile(context.profile),
  );
  return { certificate, chainPem: caChainPem(context.ca) };
}

function mergeNames(base: Partial<AltNames>, extra: Partial<AltNames> | undefined): Partial<AltNames> {
  return {
    dns: [...(base.dns ?? []), ...(extra?.dns ?? [])],
    ip: [...(base.ip ?? []), ...(extra?.ip ?? [])],
    uri: [...(base.uri ?? []), ...(extra?.uri ?? [])],
    email: [...(base.email ?? []), ...(extra?.email ?? [])],
  };
}

function singleCommonName(values: string[], override: string | undefined): string | undefined {
  if (override !== undefined) return override;
  if (values.length > 1) throw new PkiError('invalid_name', 'the request has more than one common name');
  return values[0];
}

/** Sign a PKCS#10 request under a profile. The CSR's names and extension wishes are checked, never copied. */
export async function issueFromCsr(
  context: IssuanceContext & SubjectNamesInput & { csr: PemOrDer },
): Promise<IssuanceResult> {
  const csr = await parseCsr(context.csr);
  // A CN the profile omits is never read, so several of them are no reason to refuse.
  const commonName =
    context.profile.subjectTemplate.commonName === 'omit'
      ? undefined
      : singleCommonName(csr.commonNames, context.commonName);
  const result = await certify(context, {
    publicKey: csr.publicKey,
    ...(commonName !== undefined && { commonName }),
    altNames: mergeNames(csr.altNames, context.altNames),
    requested: csr.requested,
  });
  return { ...result, ignoredCsrExtensions: csr.ignoredExtensions };
}

/** "Server-side" key generation: the private key is returned once, as PKCS#8, with the certificate. */
export async function issueWithGeneratedKey(
  context: IssuanceContext & SubjectNamesInput & { keyType: KeyType },
): Promise<IssuanceResult> {
  const pair = await generateKeyPair(context.keyType);
  const result = await certify(context, {
    publicKey: readSubjectPublicKeyInfo(await spkiDer(pair.publicKey)),
    ...(context.commonName !== undefined && { commonName: context.commonName }),
    altNames: mergeNames({}, context.altNames),
  });
  return { ...result, privateKeyPkcs8: await exportPkcs8(pair.privateKey) };
}

/** Names of a certificate this CA issued, re-submitted as a request (policy is re-applied in full). */
function requestFromCertificate(
  context: IssuanceContext,
  existing: PemOrDer,
): { previous: pkijs.Certificate; names: SubjectNamesInput } {
  const previous = parseCertificate(existing);
  if (!bytesEqual(nameDer(previous.issuer), nameDer(context.ca.certificate.subject))) {
    throw new PkiError('invalid_argument', 'the certificate was not issued by this CA');
  }
  const commonName = singleCommonName(commonNamesOf(previous.subject), undefined);
  return {
    previous,
    names: { ...(commonName !== undefined && { commonName }), altNames: certificateAltNames(previous) },
  };
}

/** The lifetime a renewal gets when none is asked for: the previous certificate's (the profile still caps it). */
function previousLifetimeSeconds(previous: pkijs.Certificate): number {
  const period =
    Math.floor((previous.notAfter.value.getTime() - previous.notBefore.value.getTime()) / 1000) -
    BACKDATE_SECONDS;
  return Math.max(60, period);
}

/**
 * Renew: same key and names, new serial and validity (the previous lifetime unless another is asked
 * for). The current profile is applied again, so a renewal cannot carry forward a name the role no
 * longer allows, nor a key that policy now refuses.
 */
export async function renewCertificate(
  context: IssuanceContext & { certificate: PemOrDer },
): Promise<IssuanceResult> {
  const { previous, names } = requestFromCertificate(context, context.certificate);
  return certify(
    context,
    {
      publicKey: subjectPublicKeyOf(previous.subjectPublicKeyInfo),
      ...names,
      altNames: names.altNames ?? {},
    },
    previousLifetimeSeconds(previous),
  );
}

/** Rekey: same names, a new key — from a CSR (proof of possession) or generated server-side. */
export async function rekeyCertificate(
  context: IssuanceContext & { certificate: PemOrDer } & (
      { csr: PemOrDer; keyType?: undefined } | { keyType: KeyType; csr?: undefined }
    ),
): Promise<IssuanceResult> {
  const { previous, names } = requestFromCertificate(context, context.certificate);
  const oldKey = subjectPublicKeyOf(previous.subjectPublicKeyInfo).der;
  let publicKey: SubjectPublicKey;
  let privateKeyPkcs8: ArrayBuffer | undefined;
  if (context.csr !== undefined) {
    publicKey = (await parseCsr(context.csr)).publicKey;
  } else {
    const pair = await generateKeyPair(context.keyType);
    publicKey = readSubjectPublicKeyInfo(await spkiDer(pair.publicKey));
    privateKeyPkcs8 = await exportPkcs8(pair.privateKey);
  }
  if (bytesEqual(oldKey, publicKey.der)) {
    throw new PkiError('key_mismatch', 'rekey requires a different key than the current certificate');
  }
  const result = await certify(
    context,
    { publicKey, ...names, altNames: names.altNames ?? {} },
    previousLifetimeSeconds(previous),
  );
  return { ...result, ...(privateKeyPkcs8 && { privateKeyPkcs8 }) };
}
