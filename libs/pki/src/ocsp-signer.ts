import { CertificateAuthority, CaKeySource } from './certificate-authority';
import { IssuedCertificate } from './certificate';
import { LintPolicy } from './certificate-lint';
import { signCertificate } from './certificate-signing';
import { Clock } from './clock';
import { DistinguishedName, nameToDer, readName } from './distinguished-name';
import {
  basicConstraintsExtension,
  extensionDer,
  extKeyUsageExtension,
  keyUsageExtension,
  ocspNoCheckExtension,
} from './extensions';
import { exportPkcs8, generateKeyPair, subjectPublicKeyOf } from './key-type';
import { EKU_OIDS } from './oids';
import { OcspResponder } from './ocsp-response';
import { cryptoKeySigner, Signer, signerPublicKeyInfo } from './signer';
import { computeValidity } from './validity';

/**
 * id-pkix-ocsp-nocheck means clients never check the responder certificate's own revocation
 * (RFC 6960 4.2.2.2.1), so such certificates should be short-lived: 30 days by default, 90 at most.
 */
export const DEFAULT_OCSP_SIGNER_TTL_SECONDS = 30 * 24 * 3600;
export const MAX_OCSP_SIGNER_TTL_SECONDS = 90 * 24 * 3600;

const OCSP_SIGNER_POLICY: LintPolicy = {
  kind: 'leaf',
  maxValiditySeconds: MAX_OCSP_SIGNER_TTL_SECONDS,
  allowedKeyUsages: ['digitalSignature'],
  allowedExtendedKeyUsages: [EKU_OIDS.ocspSigning],
  requireSubjectAltName: false, // a responder is identified by its key, not by a host name
};

export interface OcspSignerResult {
  responder: OcspResponder;
  certificate: IssuedCertificate;
  privateKeyPkcs8?: ArrayBuffer;
}

/** Issue a delegated OCSP responder certificate (EKU id-kp-OCSPSigning + ocsp-nocheck) from `ca`. */
export async function issueOcspSigner(
  options: CaKeySource & {
    ca: CertificateAuthority;
    clock: Clock;
    ttlSeconds?: number;
    subject?: DistinguishedName;
  },
): Promise<OcspSignerResult> {
  let signer: Signer;
  let privateKeyPkcs8: ArrayBuffer | undefined;
  if (options.signer) {
    signer = options.signer;
  } else {
    const pair = await generateKeyPair(options.keyType);
    signer = cryptoKeySigner(pair, options.keyType);
    privateKeyPkcs8 = await exportPkcs8(pair.privateKey);
  }
  const caName = readName(options.ca.certificate.subject);
  const subject = options.subject ?? {
    ...(caName.organization && { organization: caName.organization }),
    commonName: `${caName.commonName ?? 'CA'} OCSP Responder`.slice(0, 64),
  };
  const issuer = options.ca.certificate;
  const certificate = await signCertificate(
    {
      subject: nameToDer(subject),
      publicKey: subjectPublicKeyOf(await signerPublicKeyInfo(signer)),
      ...computeValidity({
        clock: options.clock,
        // the platform's own responder: a CA near its end gets a shorter signer, not a refusal
        defaultTtlSeconds: options.ttlSeconds ?? DEFAULT_OCSP_SIGNER_TTL_SECONDS,
        maxTtlSeconds: MAX_OCSP_SIGNER_TTL_SECONDS,
        issuer: { notBefore: issuer.notBefore.value, notAfter: issuer.notAfter.value },
      }),
      extensions: [
        basicConstraintsExtension(false),
        keyUsageExtension(['digitalSignature']),
        extKeyUsageExtension([EKU_OIDS.ocspSigning]),
        ocspNoCheckExtension(),
      ].map(extensionDer),
    },
    options.ca,
    OCSP_SIGNER_POLICY,
  );
  return {
    responder: { signer, certificate: certificate.certificate, delegated: true },
    certificate,
    ...(privateKeyPkcs8 && { privateKeyPkcs8 }),
  };
}
