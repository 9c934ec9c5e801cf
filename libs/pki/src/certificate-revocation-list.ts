import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateAuthority } from './certificate-authority';
import { certificateKeyIdentifier } from './certificate';
import { addSeconds, Clock, truncateToSeconds } from './clock';
import {
  asPkiError,
  bigIntToIntegerBytes,
  decodeWith,
  integerBytesToBigInt,
  integerFromHex,
  integerHex,
  PemOrDer,
  pemEncode,
  readDerOrPem,
  toArrayBuffer,
} from './der-encoding';
import { childrenOf, expect, forEachChild, readRoot, TAG } from './der-reader';
import {
  authorityKeyIdentifierExtension,
  checkHttpUrls,
  findExtension,
  freshestCrlExtension,
  readExplicitExtensions,
  readExtensionList,
  readKeyUsage,
} from './extensions';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { describeKeyType } from './key-type';
import { signatureAlgorithmFor } from './signature-algorithm';
import { attachSignature } from './signer';
import { x509Time } from './validity';

export const CRL_PEM_LABEL = 'X509 CRL';
/** Upper bound for nextUpdate − thisUpdate (CA/B Forum BR 4.9.7 allows at most 10 days; we keep 7). */
export const MAX_CRL_VALIDITY_SECONDS = 7 * 24 * 3600;
export const MAX_CRL_BYTES = 64 * 1024 * 1024;

/** RFC 5280 5.3.1 CRLReason (value 7 is unused). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function revocationReasonName(code: number): RevocationReason | undefined {
  return (Object.keys(REVOCATION_REASONS) as RevocationReason[]).find(
    (name) => REVOCATION_REASONS[name] === code,
  );
}

export interface RevokedEntry {
  /** Hex, as `IssuedCertificate.serialNumber`. */
  serialNumber: string;
  revokedAt: Date;
  reason?: RevocationReason;
}

export interface CrlRequest {
  ca: CertificateAuthority;
  clock: Clock;
  /** Monotonically increasing per CA (RFC 5280 5.2.3); the caller persists it. */
  crlNumber: bigint;
  /** nextUpdate − thisUpdate, at most MAX_CRL_VALIDITY_SECONDS. */
  nextUpdateSeconds: number;
  entries: readonly RevokedEntry[];
  /** Makes this a delta CRL over the complete CRL with this number (RFC 5280 5.2.4). */
  baseCrlNumber?: bigint;
  /** Complete CRLs only: where their delta CRLs are published (Freshest CRL, RFC 5280 5.2.6). */
  freshestCrlUrls?: readonly string[];
}

export interface BuiltCrl {
  der: Uint8Array;
  pem: string;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
}

/** CRL entry reasonCode (RFC 5280 5.3.1): omitted rather than encoded as "unspecified". */
function entryExtensions(reason: RevocationReason | undefined): pkijs.Extensions | undefined {
  if (reason === undefined || reason === 'unspecified') return undefined;
  const value = new asn1js.Enumerated({ value: REVOCATION_REASONS[reason] });
  return new pkijs.Extensions({
    extensions: [new pkijs.Extension({ extnID: OID.crlReason, critical: false, extnValue: value.toBER() })],
  });
}

function crlNumberExtension(oid: string, critical: boolean, value: bigint): pkijs.Extension {
  const bytes = bigIntToIntegerBytes(value);
  if (bytes.length > 20)
    throw new PkiError('invalid_argument', 'CRL numbers are limited to 20 octets (RFC 5280 5.2.3)');
  return new pkijs.Extension({
    extnID: oid,
    critical,
    extnValue: new asn1js.Integer({ valueHex: toArrayBuffer(bytes) }).toBER(),
  });
}

function validate(request: CrlRequest): void {
  if (!(request.nextUpdateSeconds > 0))
    throw new PkiError('invalid_argument', 'nextUpdateSeconds must be positive');
  if (request.nextUpdateSeconds > MAX_CRL_VALIDITY_SECONDS) {
    throw new PkiError(
      'crl_validity_too_long',
      `nextUpdate may be at most ${MAX_CRL_VALIDITY_SECONDS}s after thisUpdate`,
    );
  }
  if (request.crlNumber < 0n) throw new PkiError('invalid_argument', 'crlNumber must be non-negative');
  if (
    request.baseCrlNumber !== undefined &&
    (request.baseCrlNumber < 0n || request.baseCrlNumber >= request.crlNumber)
  ) {
    throw new PkiError('invalid_argument', 'a delta CRL must have a higher number than its base CRL');
  }
  if (request.freshestCrlUrls?.length) {
    // RFC 5280 5.2.6: the extension MUST NOT appear in delta CRLs.
    if (request.baseCrlNumber !== undefined)
      throw new PkiError('invalid_argument', 'a delta CRL cannot point to a freshest CRL');
    checkHttpUrls(request.freshestCrlUrls);
  }
  const ku = findExtension(request.ca.certificate.extensions, OID.keyUsage);
  if (ku && !readKeyUsage(ku).includes('cRLSign'))
    throw new PkiError('not_a_ca', 'the CA certificate lacks cRLSign');
  const seen = new Set<string>();
  for (const entry of request.entries) {
    const serial = integerHex(integerFromHex(entry.serialNumber));
    if (seen.has(serial)) throw new PkiError('invalid_argument', `serial ${serial} listed twice`);
    seen.add(serial);
    // removeFromCRL only makes sense in a delta CRL (RFC 5280 5.3.1).
    if (entry.reason === 'removeFromCRL' && request.baseCrlNumber === undefined) {
      throw new PkiError('invalid_argument', 'removeFromCRL is only valid in delta CRLs');
    }
  }
}

/** Build and sign a complete or delta CRL (RFC 5280 5.1), v2, with AKI and CRL number. */
export async function buildCrl(request: CrlRequest): Promise<BuiltCrl> {
  validate(request);
  const thisUpdate = truncateToSeconds(request.clock.now());
  const nextUpdate = addSeconds(thisUpdate, Math.floor(request.nextUpdateSeconds));
  const revokedCertificates = request.entries.map((entry) => {
    const extensions = entryExtensions(entry.reason);
    return new pkijs.RevokedCertificate({
      userCertificate: integerFromHex(entry.serialNumber),
      revocationDate: x509Time(entry.revokedAt),
      ...(extensions && { crlEntryExtensions: extensions }),
    });
  });
  const extensions = [
    authorityKeyIdentifierExtension(await certificateKeyIdentifier(request.ca.certificate)),
    crlNumberExtension(OID.crlNumber, false, request.crlNumber),
    // Delta CRL indicator MUST be critical (RFC 5280 5.2.4).
    ...(request.baseCrlNumber !== undefined
      ? [crlNumberExtension(OID.deltaCrlIndicator, true, request.baseCrlNumber)]
      : []),
    ...(request.freshestCrlUrls?.length ? [freshestCrlExtension(request.freshestCrlUrls)] : []),
  ];
  const crl = new pkijs.CertificateRevocationList({
    version: 1, // v2: required once extensions are present (RFC 5280 5.1.2.1)
    issuer: request.ca.certificate.subject,
    thisUpdate: x509Time(thisUpdate),
    nextUpdate: x509Time(nextUpdate),
    // An empty revokedCertificates list MUST be absent (RFC 5280 5.1.2.6).
    ...(revokedCertificates.length && { revokedCertificates }),
    crlExtensions: new pkijs.Extensions({ extensions }),
  });
  crl.signature = signatureAlgorithmFor(describeKeyType(request.ca.signer.algorithm));
  const tbs = new Uint8Array((crl.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!.toBER());
  await attachSignature(crl, tbs, request.ca.signer);
  const der = new Uint8Array(crl.toSchema().toBER());
  return { der, pem: pemEncode(CRL_PEM_LABEL, der), crlNumber: request.crlNumber, thisUpdate, nextUpdate };
}

export interface ParsedCrl {
  crl: pkijs.CertificateRevocationList;
  crlNumber?: bigint;
  baseCrlNumber?: bigint;
  thisUpdate: Date;
  nextUpdate?: Date;
  entries: Array<{ serialNumber: string; revokedAt: Date; reason?: RevocationReason }>;
}

function readIntegerExtension(ext: pkijs.Extension | undefined): bigint | undefined {
  if (!ext) return undefined;
  return decodeWith('INTEGER', ext.extnValue.valueBlock.valueHexView, (schema) => {
    if (!(schema instanceof asn1js.Integer)) throw new Error('not an INTEGER');
    return integerBytesToBigInt(new Uint8Array(schema.valueBlock.valueHexView));
  });
}

/** Read a CRL back (our own, for tests and tooling, or a parent CA's). Does not verify the signature. */
export function parseCrl(input: PemOrDer): ParsedCrl {
  return asPkiError('CertificateRevocationList', () =>
    decodeCrl(readDerOrPem(input, { labels: [CRL_PEM_LABEL], maxBytes: MAX_CRL_BYTES })),
  );
}

/** CRL and entry extensions, like a certificate's: bounded in number, none twice (RFC 5280 5.2, 5.3). */
const MAX_CRL_EXTENSIONS = 32;

/**
 * TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
 *   revokedCertificates SEQUENCE OF SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL } OPTIONAL,
 *   crlExtensions [0] EXPLICIT Extensions OPTIONAL }, checked in place before pkijs decodes it.
 */
function checkCrlExtensions(der: Uint8Array): void {
  const [tbs] = childrenOf(der, readRoot(der, TAG.sequence, 'CertificateList'));
  if (!tbs) throw new PkiError('malformed_der', 'CertificateList: empty');
  let index = 0;
  forEachChild(der, expect(tbs, TAG.sequence, 'TBSCertList'), 7, 'TBSCertList', (field) => {
    const position = index++;
    if (field.tag === 0xa0) readExplicitExtensions(der, field, MAX_CRL_EXTENSIONS, 'crlExtensions');
    else if (field.tag === TAG.sequence && position >= 3) {
      // revokedCertificates (signature and issuer, the other SEQUENCEs, come first)
      for (const entry of childrenOf(der, field)) {
        const parts = childrenOf(der, expect(entry, TAG.sequence, 'revokedCertificate'));
        if (parts[2]) readExtensionList(der, parts[2], MAX_CRL_EXTENSIONS, 'crlEntryExtensions');
      }
    }
  });
}

function decodeCrl(der: Uint8Array): ParsedCrl {
  checkCrlExtensions(der);
  const crl = decodeWith(
    'CertificateRevocationList',
    der,
    (schema) => new pkijs.CertificateRevocationList({ schema }),
  );
  const extensions = crl.crlExtensions?.extensions;
  const crlNumber = readIntegerExtension(findExtension(extensions, OID.crlNumber));
  const baseCrlNumber = readIntegerExtension(findExtension(extensions, OID.deltaCrlIndicator));
  return {
    crl,
    ...(crlNumber !== undefined && { crlNumber }),
    ...(baseCrlNumber !== undefined && { baseCrlNumber }),
    thisUpdate: crl.thisUpdate.value,
    ...(crl.nextUpdate && { nextUpdate: crl.nextUpdate.value }),
    entries: (crl.revokedCertificates ?? []).map((entry) => {
      const reasonExt = findExtension(entry.crlEntryExtensions?.extensions, OID.crlReason);
      const reason = reasonExt
        ? revocationReasonName(
            decodeWith(
              'CRLReason',
              reasonExt.extnValue.valueBlock.valueHexView,
              (s) => (s as asn1js.Enumerated).valueBlock.valueDec,
            ),
          )
        : undefined;
      return {
        serialNumber: integerHex(entry.userCertificate),
        revokedAt: entry.revocationDate.value,
        ...(reason && { reason }),
      };
    }),
  };
}
