import * as pkijs from 'pkijs';
import { AltNames, emptyAltNames } from './alt-names';
import { asPkiError, decodeWith, integerHex, PemOrDer, pemEncode, readDerOrPem } from './der-encoding';
import { childrenExactly, expect, forEachChild, readRoot, TAG } from './der-reader';
import {
  findExtension,
  MAX_CERTIFICATE_EXTENSIONS,
  readExplicitExtensions,
  readSubjectAltName,
  readSubjectKeyIdentifier,
  spkiKeyIdentifier,
} from './extensions';
import { commonNamesIn, commonNamesOf } from './distinguished-name';
import { OID } from './oids';
import { TbsCertificate, tbsAltNames } from './tbs-certificate';

export const CERTIFICATE_PEM_LABEL = 'CERTIFICATE';
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** A signed certificate in the forms callers store and serve. */
export interface IssuedCertificate {
  der: Uint8Array;
  pem: string;
  /** Lower-case hex, no leading 00 pad. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  commonNames: string[];
  altNames: AltNames;
  /** The pkijs object, decoded on first use (the issuance path itself never needs it). */
  readonly certificate: pkijs.Certificate;
}

/** An IssuedCertificate for freshly signed DER whose TBS was read as `tbs`. */
export function issuedCertificate(
  der: Uint8Array,
  tbs: TbsCertificate,
  serialNumber: string,
): IssuedCertificate {
  return issuedCertificateOf({
    der,
    pem: pemEncode(CERTIFICATE_PEM_LABEL, der),
    serialNumber,
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
    commonNames: commonNamesIn(tbs.subjectAttributes),
    altNames: tbsAltNames(tbs),
  });
}

/** The plain fields of an issued certificate: what crosses a thread boundary (structured clone). */
export type IssuedCertificateFields = Omit<IssuedCertificate, 'certificate'>;

/** Fields → IssuedCertificate, the pkijs object decoded on first use. */
export function issuedCertificateOf(fields: IssuedCertificateFields): IssuedCertificate {
  let decoded: pkijs.Certificate | undefined;
  return {
    ...fields,
    get certificate() {
      decoded ??= parseCertificate(fields.der);
      return decoded;
    },
  };
}

export function parseCertificate(input: PemOrDer): pkijs.Certificate {
  return asPkiError('Certificate', () => {
    const der = readDerOrPem(input, { labels: [CERTIFICATE_PEM_LABEL], maxBytes: MAX_CERTIFICATE_BYTES });
    checkCertificateExtensions(der);
    return decodeWith('Certificate', der, (schema) => new pkijs.Certificate({ schema }));
  });
}

/**
 * Before pkijs builds its object tree (tens of ms for 64 KB of extensions): at most
 * MAX_CERTIFICATE_EXTENSIONS extensions, none twice (RFC 5280 4.2), read in place.
 */
function checkCertificateExtensions(der: Uint8Array): void {
  const [tbs] = childrenExactly(der, readRoot(der, TAG.sequence, 'Certificate'), 3, 3, 'Certificate');
  // version, serial, signature, issuer, validity, subject, spki, issuerUID, subjectUID, extensions
  forEachChild(der, expect(tbs!, TAG.sequence, 'TBSCertificate'), 10, 'TBSCertificate', (field) => {
    if (field.tag === 0xa3)
      readExplicitExtensions(der, field, MAX_CERTIFICATE_EXTENSIONS, 'Certificate extensions');
  });
}

export function certificateDer(certificate: pkijs.Certificate): Uint8Array {
  return new Uint8Array(certificate.toSchema().toBER());
}

export function describeCertificate(input: PemOrDer | pkijs.Certificate): IssuedCertificate {
  return asPkiError('Certificate', () => {
    const certificate = input instanceof pkijs.Certificate ? input : parseCertificate(input);
    return describeCertificateDer(certificate, certificateDer(certificate));
  });
}

/** `describeCertificate` when the DER of `certificate` is already in hand (no re-encoding). */
export function describeCertificateDer(certificate: pkijs.Certificate, der: Uint8Array): IssuedCertificate {
  return {
    der,
    pem: pemEncode(CERTIFICATE_PEM_LABEL, der),
    serialNumber: integerHex(certificate.serialNumber),
    notBefore: certificate.notBefore.value,
    notAfter: certificate.notAfter.value,
    commonNames: commonNamesOf(certificate.subject),
    altNames: certificateAltNames(certificate),
    certificate,
  };
}

export function certificateAltNames(certificate: pkijs.Certificate): AltNames {
  const ext = findExtension(certificate.extensions, OID.subjectAltName);
  if (!ext) return emptyAltNames();
  const { dns, ip, uri, email } = readSubjectAltName(ext);
  return { dns, ip, uri, email };
}

/** The certificate's SKI extension value, or the RFC 5280 method-1 key id when it has none. */
export async function certificateKeyIdentifier(certificate: pkijs.Certificate): Promise<Uint8Array> {
  const ext = findExtension(certificate.extensions, OID.subjectKeyIdentifier);
  return ext ? readSubjectKeyIdentifier(ext) : spkiKeyIdentifier(certificate.subjectPublicKeyInfo);
}

export function chainToPem(certificates: ReadonlyArray<Uint8Array>): string {
  return certificates.map((der) => pemEncode(CERTIFICATE_PEM_LABEL, der)).join('');
}
