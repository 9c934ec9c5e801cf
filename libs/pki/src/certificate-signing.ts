import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateKeyIdentifier, describeCertificateDer, IssuedCertificate } from './certificate';
import { LintFinding, LintIssuer, LintPolicy, lintCertificate } from './certificate-lint';
import { checkDerStructure, toArrayBuffer } from './der-encoding';
import { DER_SEQUENCE, derBitString, derTlv } from './der-writer';
import { authorityKeyIdentifierExtension, findExtension, keyIdentifier, readBasicConstraints, readNameConstraints, subjectKeyIdentifierExtension } from './extensions';
import { describeKeyType, describePublicKey } from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { generateSerialNumber } from './serial-number';
import { ecdsaRawToDer, signatureAlgorithmFor, verifySignatureWithCachedKey } from './signature-algorithm';
import { Signer } from './signer';
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

// What the linter needs about an issuing certificate, decoded once per certificate object (a CA is
// loaded once and then issues many certificates; its certificate is never mutated).
const issuerCache = new WeakMap<pkijs.Certificate, Promise<LintIssuer>>();

async function describeIssuer(issuerCert: pkijs.Certificate): Promise<LintIssuer> {
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
  let cached = issuerCache.get(issuerCert);
  if (!cached) {
    cached = describeIssuer(issuerCert);
    cached.catch(() => issuerCache.delete(issuerCert));
    issuerCache.set(issuerCert, cached);
  }
  return { ...(await cached) };
}

/**
 * The only place a CA key signs a certificate:
 *  1. build the TBSCertificate once: `tbs` is the DER of exactly the object that is linted;
 *  2. lint that object — no CA signature exists for a certificate that fails lint (the CT
 *     "pre-issuance linting" practice);
 *  3. sign the same bytes with the CA key, splice Certificate ::= SEQUENCE { tbs, algorithm, signature }
 *     from the bytes in hand, and verify the signature with the CA certificate's key before returning.
 */
export async function signCertificate(template: CertificateTemplate, authority: SigningAuthority, policy: LintPolicy): Promise<IssuedCertificate> {
  const issuer = await lintIssuerFor(authority, template);
  const subjectKeyId = await keyIdentifier(template.publicKeyInfo);
  const { integer: serialNumber } = generateSerialNumber();
  const issuerKey = describeKeyType(authority.signer.algorithm);
  const algorithm = signatureAlgorithmFor(issuerKey);

  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber,
    signature: algorithm,
    issuer: issuer.subject,
    subject: template.subject,
    notBefore: x509Time(template.notBefore),
    notAfter: x509Time(template.notAfter),
    subjectPublicKeyInfo: template.publicKeyInfo,
    extensions: [subjectKeyIdentifierExtension(subjectKeyId), authorityKeyIdentifierExtension(issuer.keyIdentifier), ...template.extensions],
    signatureAlgorithm: algorithm,
  });
  const tbs = new Uint8Array(certificate.encodeTBS().toBER());
  checkDerStructure(tbs);

  const findings: LintFinding[] = lintCertificate(certificate, issuer, policy);
  if (findings.length) {
    throw new PkiError('lint_failed', `certificate failed pre-issuance lint: ${findings.map((f) => f.rule).join(', ')}`, findings);
  }

  let signature: Uint8Array = new Uint8Array(await authority.signer.sign(tbs));
  if (issuerKey.family === 'ecdsa') signature = ecdsaRawToDer(signature);
  const der = derTlv(DER_SEQUENCE, [tbs, new Uint8Array(algorithm.toSchema().toBER()), derBitString(signature)]);
  checkDerStructure(der);

  const issuerSpki = authority.certificate?.subjectPublicKeyInfo ?? template.publicKeyInfo;
  const valid =
    describePublicKey(issuerSpki).family === issuerKey.family && (await verifySignatureWithCachedKey(issuerSpki, algorithm, tbs, signature));
  if (!valid) throw new PkiError('signature_invalid', 'the CA signer produced a signature that does not verify with the CA certificate');

  // The returned object is the linted one, now carrying the signed bytes and the signature.
  certificate.tbsView = tbs;
  certificate.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  return describeCertificateDer(certificate, der);
}
