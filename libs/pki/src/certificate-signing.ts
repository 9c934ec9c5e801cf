import * as pkijs from 'pkijs';
import { certificateKeyIdentifier, describeCertificate, IssuedCertificate } from './certificate';
import { LintFinding, LintIssuer, LintPolicy, lintCertificate } from './certificate-lint';
import { bytesEqual, decodeWith } from './der-encoding';
import { authorityKeyIdentifierExtension, findExtension, keyIdentifier, readBasicConstraints, readNameConstraints, subjectKeyIdentifierExtension } from './extensions';
import { describeKeyType, describePublicKey, generateKeyPair, KeyType } from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { generateSerialNumber } from './serial-number';
import { signatureAlgorithmFor, verifySignature } from './signature-algorithm';
import { attachSignature, cryptoKeySigner, Signer } from './signer';
import { x509Time } from './validity';

/** What to certify. SKI, AKI, serial, issuer and signature are filled in by `signCertificate`. */
export interface CertificateTemplate {
  subject: pkijs.RelativeDistinguishedNames;
  publicKeyInfo: pkijs.PublicKeyInfo;
  notBefore: Date;
  notAfter: Date;
  extensions: pkijs.Extension[];
}

/** The key that signs, and its certificate (absent when the template is a self-signed root). */
export interface SigningAuthority {
  signer: Signer;
  certificate?: pkijs.Certificate;
}

// One throw-away key per key type and process: the lint certificate is discarded, so reusing the key
// is harmless, and it keeps RSA key generation (seconds for 4096 bits) off the issuance path.
const throwawaySigners = new Map<KeyType, Promise<Signer>>();

function throwawaySigner(keyType: KeyType): Promise<Signer> {
  let signer = throwawaySigners.get(keyType);
  if (!signer) {
    signer = generateKeyPair(keyType).then((pair) => cryptoKeySigner(pair, keyType));
    throwawaySigners.set(keyType, signer);
  }
  return signer;
}

export async function lintIssuerFor(authority: SigningAuthority, template: CertificateTemplate): Promise<LintIssuer> {
  const issuerCert = authority.certificate;
  if (!issuerCert) {
    return {
      subject: template.subject,
      publicKey: describePublicKey(template.publicKeyInfo),
      keyIdentifier: await keyIdentifier(template.publicKeyInfo),
      notBefore: template.notBefore,
      notAfter: template.notAfter,
      selfSigned: true,
    };
  }
  const bc = findExtension(issuerCert.extensions, OID.basicConstraints);
  const nc = findExtension(issuerCert.extensions, OID.nameConstraints);
  const pathLength = bc ? readBasicConstraints(bc).pathLength : undefined;
  return {
    subject: issuerCert.subject,
    publicKey: describePublicKey(issuerCert.subjectPublicKeyInfo),
    keyIdentifier: await certificateKeyIdentifier(issuerCert),
    notBefore: issuerCert.notBefore.value,
    notAfter: issuerCert.notAfter.value,
    ...(pathLength !== undefined && { pathLength }),
    ...(nc && { nameConstraints: readNameConstraints(nc) }),
    selfSigned: false,
  };
}

async function assemble(tbs: Uint8Array, signer: Signer): Promise<pkijs.Certificate> {
  const certificate = await attachSignature(new pkijs.Certificate(), tbs, signer);
  // Re-parse the full DER so every field is populated exactly as a relying party will read it.
  return decodeWith('Certificate', certificate.toSchema().toBER(), (schema) => new pkijs.Certificate({ schema }));
}

/**
 * The only place a CA key signs a certificate:
 *  1. build the TBSCertificate once (its DER is what gets signed);
 *  2. sign it with a throw-away key of the CA's key type and lint the result — no CA signature exists
 *     for a certificate that fails lint (the CT "pre-issuance linting" practice);
 *  3. sign the same bytes with the CA key and verify that signature before returning it.
 */
export async function signCertificate(template: CertificateTemplate, authority: SigningAuthority, policy: LintPolicy): Promise<IssuedCertificate> {
  const issuer = await lintIssuerFor(authority, template);
  const subjectKeyId = await keyIdentifier(template.publicKeyInfo);
  const { integer: serialNumber } = generateSerialNumber();
  const issuerKey = describeKeyType(authority.signer.algorithm);

  const tbsCertificate = new pkijs.Certificate({
    version: 2,
    serialNumber,
    issuer: issuer.subject,
    subject: template.subject,
    notBefore: x509Time(template.notBefore),
    notAfter: x509Time(template.notAfter),
    subjectPublicKeyInfo: template.publicKeyInfo,
    extensions: [subjectKeyIdentifierExtension(subjectKeyId), authorityKeyIdentifierExtension(issuer.keyIdentifier), ...template.extensions],
  });
  tbsCertificate.signature = signatureAlgorithmFor(issuerKey);
  const tbs = new Uint8Array(tbsCertificate.encodeTBS().toBER());

  const lintCandidate = await assemble(tbs, await throwawaySigner(authority.signer.algorithm));
  const findings: LintFinding[] = lintCertificate(lintCandidate, issuer, policy);
  if (findings.length) {
    throw new PkiError('lint_failed', `certificate failed pre-issuance lint: ${findings.map((f) => f.rule).join(', ')}`, findings);
  }

  const signed = await assemble(tbs, authority.signer);
  const issuerSpki = authority.certificate?.subjectPublicKeyInfo ?? template.publicKeyInfo;
  const valid =
    signed.signatureAlgorithm.algorithmId === lintCandidate.signatureAlgorithm.algorithmId &&
    bytesEqual(new Uint8Array(signed.tbsView), tbs) &&
    describePublicKey(issuerSpki).family === issuerKey.family &&
    (await verifySignature(issuerSpki, signed.signatureAlgorithm, tbs, signed.signatureValue));
  if (!valid) throw new PkiError('signature_invalid', 'the CA signer produced a signature that does not verify with the CA certificate');
  return describeCertificate(signed);
}
