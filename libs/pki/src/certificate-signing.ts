import type { KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { certificateKeyIdentifier, IssuedCertificate, issuedCertificate } from './certificate';
import { LintFinding, LintIssuer, LintPolicy, lintCertificate } from './certificate-lint';
import { checkDerStructure } from './der-encoding';
import { DER_OCTET_STRING, DER_SEQUENCE, derBitString, derExtension, derTime, derTlv } from './der-writer';
import { findExtension, keyIdentifier, readBasicConstraints, readNameConstraints } from './extensions';
import { describeKeyType, SubjectPublicKey, subjectPublicKeyOf } from './key-type';
import { nameDer } from './distinguished-name';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { generateSerialNumber } from './serial-number';
import {
  ecdsaRawToDer,
  publicKeyObject,
  signatureAlgorithmFor,
  verifyDerSignature,
} from './signature-algorithm';
import { Signer } from './signer';
import { readTbsCertificate } from './tbs-certificate';

/** What to certify, as DER pieces. SKI, AKI, serial, issuer and signature are filled in by `signCertificate`. */
export interface CertificateTemplate {
  /** DER Name (`nameToDer`). */
  subject: Uint8Array;
  publicKey: SubjectPublicKey;
  notBefore: Date;
  notAfter: Date;
  /** DER Extensions, in order (`extensionDer` for pkijs-built ones). */
  extensions: Uint8Array[];
}

/** The key that signs, and its certificate (absent when the template is a self-signed root). */
export interface SigningAuthority {
  signer: Signer;
  certificate?: pkijs.Certificate;
}

/** The issuer as the linter sees it, plus what signing needs from it; computed once per CA certificate. */
interface IssuerContext {
  lint: LintIssuer;
  publicKey: SubjectPublicKey;
  keyObject: KeyObject;
}

// A CA is loaded once and then issues many certificates; its certificate object is never mutated.
const issuerCache = new WeakMap<pkijs.Certificate, Promise<IssuerContext>>();

async function describeIssuer(issuerCert: pkijs.Certificate): Promise<IssuerContext> {
  const bc = findExtension(issuerCert.extensions, OID.basicConstraints);
  const nc = findExtension(issuerCert.extensions, OID.nameConstraints);
  const pathLength = bc ? readBasicConstraints(bc).pathLength : undefined;
  const publicKey = subjectPublicKeyOf(issuerCert.subjectPublicKeyInfo);
  return {
    lint: {
      subject: nameDer(issuerCert.subject),
      publicKey: publicKey.key,
      keyIdentifier: await certificateKeyIdentifier(issuerCert),
      notBefore: issuerCert.notBefore.value,
      notAfter: issuerCert.notAfter.value,
      ...(pathLength !== undefined && { pathLength }),
      ...(nc && { nameConstraints: readNameConstraints(nc) }),
      selfSigned: false,
    },
    publicKey,
    keyObject: await publicKeyObject(publicKey),
  };
}

async function issuerContextFor(
  authority: SigningAuthority,
  template: CertificateTemplate,
): Promise<IssuerContext> {
  const issuerCert = authority.certificate;
  if (!issuerCert) {
    return {
      lint: {
        subject: template.subject,
        publicKey: template.publicKey.key,
        keyIdentifier: await keyIdentifier(template.publicKey.keyBits),
        notBefore: template.notBefore,
        notAfter: template.notAfter,
        selfSigned: true,
      },
      publicKey: template.publicKey,
      keyObject: await publicKeyObject(template.publicKey),
    };
  }
  let cached = issuerCache.get(issuerCert);
  if (!cached) {
    cached = describeIssuer(issuerCert);
    cached.catch(() => issuerCache.delete(issuerCert));
    issuerCache.set(issuerCert, cached);
  }
  return cached;
}

const VERSION_V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);
const algorithmIdentifiers = new Map<string, Uint8Array>();

/** The signature AlgorithmIdentifier DER for a key type (a handful of constants, built once). */
function algorithmIdentifierDer(keyType: Signer['algorithm']): { oid: string; der: Uint8Array } {
  const algorithm = signatureAlgorithmFor(describeKeyType(keyType));
  let der = algorithmIdentifiers.get(keyType);
  if (!der) {
    der = new Uint8Array(algorithm.toSchema().toBER());
    algorithmIdentifiers.set(keyType, der);
  }
  return { oid: algorithm.algorithmId, der };
}

/**
 * The only place a CA key signs a certificate:
 *  1. write the TBSCertificate DER from the template's pieces;
 *  2. read those bytes back and lint what they say — no CA signature exists for a certificate that
 *     fails lint (the CT "pre-issuance linting" practice), and what is linted is what is signed;
 *  3. sign the same bytes with the CA key, splice Certificate ::= SEQUENCE { tbs, algorithm, signature },
 *     and verify the signature with the CA certificate's key before returning.
 */
export async function signCertificate(
  template: CertificateTemplate,
  authority: SigningAuthority,
  policy: LintPolicy,
): Promise<IssuedCertificate> {
  const issuer = await issuerContextFor(authority, template);
  const subjectKeyId = await keyIdentifier(template.publicKey.keyBits);
  const serial = generateSerialNumber();
  const algorithm = algorithmIdentifierDer(authority.signer.algorithm);

  const tbs = derTlv(DER_SEQUENCE, [
    VERSION_V3,
    derTlv(0x02, [serial.bytes]),
    algorithm.der,
    issuer.lint.subject,
    derTlv(DER_SEQUENCE, [derTime(template.notBefore), derTime(template.notAfter)]),
    template.subject,
    template.publicKey.der,
    derTlv(0xa3, [
      derTlv(DER_SEQUENCE, [
        derExtension(OID.subjectKeyIdentifier, false, derTlv(DER_OCTET_STRING, [subjectKeyId])),
        derExtension(
          OID.authorityKeyIdentifier,
          false,
          derTlv(DER_SEQUENCE, [derTlv(0x80, [issuer.lint.keyIdentifier])]),
        ),
        ...template.extensions,
      ]),
    ]),
  ]);
  checkDerStructure(tbs);
  const model = readTbsCertificate(tbs);

  const findings: LintFinding[] = lintCertificate(model, algorithm.oid, { ...issuer.lint }, policy);
  if (findings.length) {
    throw new PkiError(
      'lint_failed',
      `certificate failed pre-issuance lint: ${findings.map((f) => f.rule).join(', ')}`,
      findings,
    );
  }

  let signature: Uint8Array = new Uint8Array(await authority.signer.sign(tbs));
  if (describeKeyType(authority.signer.algorithm).family === 'ecdsa') signature = ecdsaRawToDer(signature);
  const der = derTlv(DER_SEQUENCE, [tbs, algorithm.der, derBitString(signature)]);

  const valid =
    issuer.publicKey.key.family === describeKeyType(authority.signer.algorithm).family &&
    (await verifyDerSignature(issuer.publicKey, algorithm.oid, tbs, signature, issuer.keyObject));
  if (!valid)
    throw new PkiError(
      'signature_invalid',
      'the CA signer produced a signature that does not verify with the CA certificate',
    );
  return issuedCertificate(der, model, serial.hex);
}
