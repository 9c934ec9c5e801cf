import { createHash } from 'node:crypto';
import { CERTIFICATE_PEM_LABEL, MAX_CERTIFICATE_BYTES } from './certificate';
import { CSR_PEM_LABELS, MAX_CSR_BYTES } from './certification-request';
import { PemOrDer, readDerOrPem } from './der-encoding';
import { childrenExactly, childrenOf, encodedOf, expect, readRoot, TAG } from './der-reader';
import { readSubjectPublicKeyInfo } from './key-type';
import { PkiError } from './pki-error';

// Identify a public key across certificates, CSRs, organizations and CAs: the SHA-256 of its DER
// SubjectPublicKeyInfo (what a compromised-key blocklist is keyed by).

export function spkiFingerprint(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/**
 * The key fingerprint of a CSR, read without verifying its signature (cheap: a blocklist look-up
 * happens before the CSR is handed to issuance, which verifies it). The SPKI is parsed in full so
 * that only a key issuance would accept is fingerprinted.
 */
export function csrKeyFingerprint(input: PemOrDer): string {
  const der = readDerOrPem(input, { labels: CSR_PEM_LABELS, maxBytes: MAX_CSR_BYTES });
  const [info] = childrenExactly(
    der,
    readRoot(der, TAG.sequence, 'CertificationRequest'),
    3,
    3,
    'CertificationRequest',
  );
  const spki = childrenOf(der, expect(info!, TAG.sequence, 'CertificationRequestInfo'))[2];
  if (!spki) throw new PkiError('malformed_der', 'CertificationRequestInfo has no subjectPKInfo');
  return spkiFingerprint(
    readSubjectPublicKeyInfo(encodedOf(der, expect(spki, TAG.sequence, 'SubjectPublicKeyInfo'))).der,
  );
}

/** The key fingerprint of a certificate (Certificate → TBSCertificate → subjectPublicKeyInfo, field 7 with v3's [0]). */
export function certificateKeyFingerprint(input: PemOrDer): string {
  const der = readDerOrPem(input, { labels: [CERTIFICATE_PEM_LABEL], maxBytes: MAX_CERTIFICATE_BYTES });
  const [tbs] = childrenExactly(der, readRoot(der, TAG.sequence, 'Certificate'), 3, 3, 'Certificate');
  const fields = childrenOf(der, expect(tbs!, TAG.sequence, 'TBSCertificate'));
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
  if (!spki) throw new PkiError('malformed_der', 'TBSCertificate has no subjectPublicKeyInfo');
  return spkiFingerprint(
    readSubjectPublicKeyInfo(encodedOf(der, expect(spki!, TAG.sequence, 'SubjectPublicKeyInfo'))).der,
  );
}
