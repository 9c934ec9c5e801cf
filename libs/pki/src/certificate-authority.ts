import * as pkijs from 'pkijs';
import { Clock } from './clock';
import { chainToPem, describeCertificate, IssuedCertificate, parseCertificate } from './certificate';
import { LintPolicy } from './certificate-lint';
import { CertificateTemplate, signCertificate } from './certificate-signing';
import { createCsr, parseCsr } from './certification-request';
import { bytesEqual, PemOrDer } from './der-encoding';
import { DistinguishedName, nameToDer } from './distinguished-name';
import {
  basicConstraintsExtension,
  extensionDer,
  findExtension,
  IssuanceUrls,
  issuanceUrlExtensions,
  KeyUsage,
  keyUsageExtension,
  NameConstraintsSpec,
  nameConstraintsExtension,
  readBasicConstraints,
  readKeyUsage,
} from './extensions';
import {
  exportPkcs8,
  generateKeyPair,
  KeyType,
  spkiDer,
  SubjectPublicKey,
  subjectPublicKeyOf,
} from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { verifySignature } from './signature-algorithm';
import { cryptoKeySigner, Signer, signerPublicKeyInfo } from './signer';
import { computeValidity } from './validity';

/**
 * An issuer: its certificate, the signer for its key, and the chain above it. A plain value — any
 * number of CAs can be held and used side by side (one per tenant, per key type, root + intermediates).
 */
export interface CertificateAuthority {
  readonly certificate: pkijs.Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly signer: Signer;
  /** DER certificates above this CA, issuer first, root last (empty for a root). */
  readonly chain: readonly Uint8Array[];
}

export interface CaCreationResult {
  ca: CertificateAuthority;
  certificate: IssuedCertificate;
  /** Present when the key was generated here: PKCS#8 DER, returned once for the caller to envelope-encrypt. */
  privateKeyPkcs8?: ArrayBuffer;
}

/** Either generate a key of `keyType` or use an existing signer (e.g. Key Vault). */
export type CaKeySource = { keyType: KeyType; signer?: undefined } | { signer: Signer; keyType?: undefined };

export type CaOptions = CaKeySource & {
  subject: DistinguishedName;
  ttlSeconds: number;
  clock: Clock;
  /** basicConstraints pathLenConstraint; roots default to none (unlimited), intermediates to 0. */
  pathLength?: number;
  nameConstraints?: NameConstraintsSpec;
};

export const CA_KEY_USAGES: readonly KeyUsage[] = ['digitalSignature', 'keyCertSign', 'cRLSign'];

// The chain of a loaded CA never changes: PEM-encode it once per CA object, not once per issuance.
const chainPems = new WeakMap<CertificateAuthority, string>();

export function caChainPem(ca: CertificateAuthority): string {
  let pem = chainPems.get(ca);
  if (pem === undefined) {
    pem = chainToPem([ca.der, ...ca.chain]);
    chainPems.set(ca, pem);
  }
  return pem;
}

function caLintPolicy(ttlSeconds: number): LintPolicy {
  return {
    kind: 'ca',
    maxValiditySeconds: ttlSeconds,
    allowedKeyUsages: CA_KEY_USAGES,
    allowedExtendedKeyUsages: [],
    requireSubjectAltName: false,
  };
}

async function resolveKey(source: CaKeySource): Promise<{ signer: Signer; privateKeyPkcs8?: ArrayBuffer }> {
  if (source.signer) return { signer: source.signer };
  const pair = await generateKeyPair(source.keyType);
  return {
    signer: cryptoKeySigner(pair, source.keyType),
    privateKeyPkcs8: await exportPkcs8(pair.privateKey),
  };
}

function caExtensions(
  pathLength: number | undefined,
  nameConstraints: NameConstraintsSpec | undefined,
  urls?: IssuanceUrls,
): pkijs.Extension[] {
  if (pathLength !== undefined && (!Number.isInteger(pathLength) || pathLength < 0))
    throw new PkiError('invalid_argument', 'pathLength must be a non-negative integer');
  return [
    basicConstraintsExtension(true, pathLength),
    keyUsageExtension(CA_KEY_USAGES),
    ...(nameConstraints && (nameConstraints.permittedDns?.length || nameConstraints.excludedDns?.length)
      ? [nameConstraintsExtension(nameConstraints)]
      : []),
    ...issuanceUrlExtensions(urls),
  ];
}

function toAuthority(
  certificate: IssuedCertificate,
  signer: Signer,
  chain: readonly Uint8Array[],
): CertificateAuthority {
  return { certificate: certificate.certificate, der: certificate.der, pem: certificate.pem, signer, chain };
}

/** Self-signed root (RFC 5280 6.1: a trust anchor; its own SKI doubles as AKI). */
export async function createRootCa(options: CaOptions): Promise<CaCreationResult> {
  const { signer, privateKeyPkcs8 } = await resolveKey(options);
  const template: CertificateTemplate = {
    subject: nameToDer(options.subject),
    publicKey: subjectPublicKeyOf(await signerPublicKeyInfo(signer)),
    ...computeValidity({ clock: options.clock, maxTtlSeconds: options.ttlSeconds }),
    extensions: caExtensions(options.pathLength, options.nameConstraints).map(extensionDer),
  };
  const certificate = await signCertificate(template, { signer }, caLintPolicy(options.ttlSeconds));
  return {
    ca: toAuthority(certificate, signer, []),
    certificate,
    ...(privateKeyPkcs8 && { privateKeyPkcs8 }),
  };
}

interface SubordinateOptions {
  subject: DistinguishedName;
  ttlSeconds: number;
  clock: Clock;
  pathLength?: number;
  nameConstraints?: NameConstraintsSpec;
  /** The parent's AIA / CRL DP, embedded in the subordinate certificate. */
  urls?: IssuanceUrls;
}

/** Certify a subordinate CA key under `parent` (shared by the generated-key and CSR paths). */
async function certifySubordinate(
  parent: CertificateAuthority,
  publicKey: SubjectPublicKey,
  options: SubordinateOptions,
): Promise<IssuedCertificate> {
  assertIsCa(parent.certificate);
  const bc = findExtension(parent.certificate.extensions, OID.basicConstraints);
  const parentPathLength = bc ? readBasicConstraints(bc).pathLength : undefined;
  const pathLength = options.pathLength ?? 0;
  if (parentPathLength !== undefined && pathLength >= parentPathLength) {
    throw new PkiError(
      'path_length_exceeded',
      `parent CA pathLen ${parentPathLength} does not allow a subordinate with pathLen ${pathLength}`,
    );
  }
  const template: CertificateTemplate = {
    subject: nameToDer(options.subject),
    publicKey,
    ...computeValidity({
      clock: options.clock,
      // A sub-CA that would outlive its parent is refused (ttl_exceeds_issuer), not silently shortened.
      ttlSeconds: options.ttlSeconds,
      maxTtlSeconds: options.ttlSeconds,
      issuer: { notBefore: parent.certificate.notBefore.value, notAfter: parent.certificate.notAfter.value },
    }),
    extensions: caExtensions(pathLength, options.nameConstraints, options.urls).map(extensionDer),
  };
  return signCertificate(template, parent, caLintPolicy(options.ttlSeconds));
}

export async function createIntermediateCa(
  parent: CertificateAuthority,
  options: CaOptions & { urls?: IssuanceUrls },
): Promise<CaCreationResult> {
  const { signer, privateKeyPkcs8 } = await resolveKey(options);
  const certificate = await certifySubordinate(
    parent,
    subjectPublicKeyOf(await signerPublicKeyInfo(signer)),
    options,
  );
  return {
    ca: toAuthority(certificate, signer, [parent.der, ...parent.chain]),
    certificate,
    ...(privateKeyPkcs8 && { privateKeyPkcs8 }),
  };
}

/**
 * Sign a subordinate CA CSR (e.g. from another MazeVault cluster). Only the key is taken from the
 * CSR (after its self-signature verifies); subject, constraints and validity come from `options`.
 */
export async function signIntermediateCsr(
  parent: CertificateAuthority,
  csr: PemOrDer,
  options: SubordinateOptions,
): Promise<IssuedCertificate> {
  const parsed = await parseCsr(csr);
  return certifySubordinate(parent, parsed.publicKey, options);
}

/**
 * First half of an intermediate signed by an external root: a key and a CSR asking for CA:TRUE.
 * Keep the signer (or the PKCS#8) until the signed certificate comes back to `importIntermediateCa`.
 */
export async function createIntermediateCsr(
  options: CaKeySource & { subject: DistinguishedName; pathLength?: number },
): Promise<{ csrDer: Uint8Array; csrPem: string; signer: Signer; privateKeyPkcs8?: ArrayBuffer }> {
  const { signer, privateKeyPkcs8 } = await resolveKey(options);
  const { der, pem } = await createCsr({
    signer,
    subject: options.subject,
    ca: options.pathLength === undefined ? {} : { pathLength: options.pathLength },
    keyUsages: [...CA_KEY_USAGES],
  });
  return { csrDer: der, csrPem: pem, signer, ...(privateKeyPkcs8 && { privateKeyPkcs8 }) };
}

function assertIsCa(certificate: pkijs.Certificate): void {
  const bc = findExtension(certificate.extensions, OID.basicConstraints);
  const ku = findExtension(certificate.extensions, OID.keyUsage);
  if (!bc || !readBasicConstraints(bc).ca)
    throw new PkiError('not_a_ca', 'certificate is not a CA certificate (basicConstraints)');
  if (ku && !readKeyUsage(ku).includes('keyCertSign'))
    throw new PkiError('not_a_ca', 'CA certificate lacks keyCertSign');
}

/**
 * Second half: accept the certificate an external root issued for our key. Refuses it unless it is a
 * CA certificate, certifies exactly our public key, and (when the issuer chain is given) is signed by
 * the first certificate of that chain.
 */
export async function importIntermediateCa(options: {
  certificate: PemOrDer;
  signer: Signer;
  issuerChain?: PemOrDer[];
}): Promise<CertificateAuthority> {
  const certificate = parseCertificate(options.certificate);
  assertIsCa(certificate);
  const certifiedKey = new Uint8Array(certificate.subjectPublicKeyInfo.toSchema().toBER());
  if (!bytesEqual(certifiedKey, await spkiDer(options.signer.publicKey))) {
    throw new PkiError('key_mismatch', 'the certificate does not certify this CA key');
  }
  const chain = (options.issuerChain ?? []).map((c) => parseCertificate(c));
  const issuer = chain[0];
  if (issuer) {
    const ok = await verifySignature(
      issuer.subjectPublicKeyInfo,
      certificate.signatureAlgorithm,
      new Uint8Array(certificate.tbsView),
      certificate.signatureValue,
    );
    if (!ok)
      throw new PkiError(
        'signature_invalid',
        'the certificate is not signed by the first certificate of issuerChain',
      );
  }
  const described = describeCertificate(certificate);
  return toAuthority(
    described,
    options.signer,
    chain.map((c) => describeCertificate(c).der),
  );
}

/** Rebuild a CA from stored parts (certificate, unwrapped-key signer, chain): same checks as an import. */
export const loadCertificateAuthority = importIntermediateCa;
