import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateAuthority } from './certificate-authority';
import { REVOCATION_REASONS, RevocationReason, revocationReasonName } from './certificate-revocation-list';
import { addSeconds, Clock, truncateToSeconds } from './clock';
import { HashName } from './crypto-engine';
import {
  asPkiError,
  BinaryInput,
  bytesEqual,
  checkDerStructure,
  decodeWith,
  integerHex,
  toArrayBuffer,
  toBytes,
} from './der-encoding';
import { findExtension } from './extensions';
import { certIdFor, OcspCertId, responderKeyHash } from './ocsp-request';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { verifySignature } from './signature-algorithm';
import { Signer, signX509 } from './signer';

/** RFC 6960 4.2.1 OCSPResponseStatus (4 is unused). */
export const OCSP_RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspResponseStatus = keyof typeof OCSP_RESPONSE_STATUS;
export type OcspErrorStatus = Exclude<OcspResponseStatus, 'successful'>;

/** CA/B Forum BR 4.9.10: OCSP responses valid ≥ 8 hours (not enforced here) and ≤ 10 days. */
export const MAX_OCSP_VALIDITY_SECONDS = 10 * 24 * 3600;

export type OcspCertStatus =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason?: RevocationReason }
  | { status: 'unknown' };

/** Who signs: the CA itself, or a delegated responder certificate issued by it (RFC 6960 4.2.2.2). */
export interface OcspResponder {
  signer: Signer;
  certificate: pkijs.Certificate;
  /** Delegated responders ship their certificate in `certs` so clients can check the delegation. */
  delegated: boolean;
}

export function caAsOcspResponder(ca: CertificateAuthority): OcspResponder {
  return { signer: ca.signer, certificate: ca.certificate, delegated: false };
}

export interface OcspSingleStatus {
  certId: OcspCertId;
  status: OcspCertStatus;
}

export interface OcspResponseRequest {
  responder: OcspResponder;
  clock: Clock;
  responses: readonly OcspSingleStatus[];
  /** nextUpdate = thisUpdate + validitySeconds (≤ 10 days). */
  validitySeconds: number;
  /** From `parseOcspRequest`; echoed as the response nonce extension. */
  nonce?: Uint8Array;
}

/** OCSPResponse with only a status (RFC 6960 4.2.1: no responseBytes unless successful); unsigned by design. */
export function buildOcspErrorResponse(status: OcspErrorStatus): Uint8Array {
  return new Uint8Array(
    new asn1js.Sequence({ value: [new asn1js.Enumerated({ value: OCSP_RESPONSE_STATUS[status] })] }).toBER(),
  );
}

/** CertStatus CHOICE (RFC 6960 4.2.1): good [0] NULL, revoked [1] RevokedInfo, unknown [2] NULL (IMPLICIT). */
function encodeCertStatus(status: OcspCertStatus): asn1js.AsnType {
  const context = (tagNumber: number) => ({ tagClass: 3, tagNumber });
  if (status.status === 'good') return new asn1js.Primitive({ idBlock: context(0) });
  if (status.status === 'unknown') return new asn1js.Primitive({ idBlock: context(2) });
  const revokedInfo: asn1js.AsnType[] = [
    new asn1js.GeneralizedTime({ valueDate: truncateToSeconds(status.revokedAt) }),
  ];
  if (status.reason !== undefined) {
    revokedInfo.push(
      new asn1js.Constructed({
        idBlock: context(0),
        value: [new asn1js.Enumerated({ value: REVOCATION_REASONS[status.reason] })],
      }),
    );
  }
  return new asn1js.Constructed({ idBlock: context(1), value: revokedInfo });
}

/** A successful, signed OCSPResponse carrying a BasicOCSPResponse (RFC 6960 4.2.1). */
export async function buildOcspResponse(request: OcspResponseRequest): Promise<Uint8Array> {
  if (!(request.validitySeconds > 0) || request.validitySeconds > MAX_OCSP_VALIDITY_SECONDS) {
    throw new PkiError(
      'ocsp_validity_invalid',
      `OCSP validity must be within (0, ${MAX_OCSP_VALIDITY_SECONDS}] seconds`,
    );
  }
  if (request.responses.length === 0)
    throw new PkiError('invalid_argument', 'at least one single response is required');
  const now = truncateToSeconds(request.clock.now());
  const nextUpdate = addSeconds(now, Math.floor(request.validitySeconds));
  const responseData = new pkijs.ResponseData({
    responderID: new asn1js.OctetString({
      valueHex: toArrayBuffer(await responderKeyHash(request.responder.certificate)),
    }),
    producedAt: now,
    responses: request.responses.map(
      (single) =>
        new pkijs.SingleResponse({
          // Echo the CertID exactly as requested: clients match on it (RFC 6960 4.2.2.3).
          certID: decodeWith('CertID', single.certId.der, (schema) => new pkijs.CertID({ schema })),
          certStatus: encodeCertStatus(single.status),
          thisUpdate: now,
          nextUpdate,
        }),
    ),
    ...(request.nonce && {
      responseExtensions: [
        new pkijs.Extension({
          extnID: OID.ocspNonce,
          critical: false,
          extnValue: toArrayBuffer(request.nonce),
        }),
      ],
    }),
  });
  const tbs = new Uint8Array(responseData.toSchema(true).toBER());
  responseData.tbsView = tbs;
  const { algorithm, signature } = await signX509(request.responder.signer, tbs);
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: responseData,
    signatureAlgorithm: algorithm,
    signature,
    ...(request.responder.delegated && { certs: [request.responder.certificate] }),
  });
  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: OCSP_RESPONSE_STATUS.successful }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: OID.ocspBasic,
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }),
    }),
  });
  return new Uint8Array(response.toSchema().toBER());
}

/**
 * Pre-signing: the response for one certificate, without nonce, so the bytes can be cached and served
 * to every nonce-less request until shortly before nextUpdate (RFC 5019 §2.2 / RFC 6960 4.4.1).
 */
export async function buildPresignedOcspResponse(options: {
  responder: OcspResponder;
  issuer: pkijs.Certificate;
  serialNumber: string;
  status: OcspCertStatus;
  clock: Clock;
  validitySeconds: number;
  hashAlgorithm?: HashName;
}): Promise<Uint8Array> {
  const certId = await certIdFor(options.issuer, options.serialNumber, options.hashAlgorithm ?? 'SHA-1');
  return buildOcspResponse({
    responder: options.responder,
    clock: options.clock,
    validitySeconds: options.validitySeconds,
    responses: [{ certId, status: options.status }],
  });
}

export interface ParsedOcspResponse {
  status: OcspResponseStatus;
  basic?: {
    response: pkijs.BasicOCSPResponse;
    responderKeyHash?: Uint8Array;
    producedAt: Date;
    nonce?: Uint8Array;
    certificates: pkijs.Certificate[];
    responses: Array<{
      serialNumber: string;
      issuerNameHash: Uint8Array;
      issuerKeyHash: Uint8Array;
      status: OcspCertStatus;
      thisUpdate: Date;
      nextUpdate?: Date;
    }>;
  };
}

function decodeCertStatus(value: asn1js.AsnType): OcspCertStatus {
  const block = value as asn1js.BaseBlock & { valueBlock: { value?: asn1js.AsnType[] } };
  switch (block.idBlock.tagNumber) {
    case 0:
      return { status: 'good' };
    case 1: {
      // pkijs leaves the IMPLICIT RevokedInfo as a raw constructed block
      const [time, reason] = block.valueBlock.value ?? [];
      const revokedAt = (time as asn1js.GeneralizedTime).toDate();
      const code = reason
        ? ((reason as asn1js.Constructed).valueBlock.value[0] as asn1js.Enumerated).valueBlock.valueDec
        : undefined;
      const name = code === undefined ? undefined : revocationReasonName(code);
      return { status: 'revoked', revokedAt, ...(name && { reason: name }) };
    }
    default:
      return { status: 'unknown' };
  }
}

/** Decode an OCSPResponse (tests, tooling, monitoring of our own responder). Does not verify. */
/** A response with a few CertIDs and a certificate chain is a few KB; this bound is generous. */
export const MAX_OCSP_RESPONSE_BYTES = 1024 * 1024;

export function parseOcspResponse(input: BinaryInput): ParsedOcspResponse {
  return asPkiError('OCSPResponse', () => {
    const bytes = toBytes(input);
    if (bytes.length > MAX_OCSP_RESPONSE_BYTES)
      throw new PkiError('input_too_large', `OCSP response exceeds ${MAX_OCSP_RESPONSE_BYTES} bytes`);
    checkDerStructure(bytes); // framing and nesting bounded before asn1js recurses into it
    return decodeOcspResponse(bytes);
  });
}

function decodeOcspResponse(input: BinaryInput): ParsedOcspResponse {
  const response = decodeWith('OCSPResponse', input, (schema) => new pkijs.OCSPResponse({ schema }));
  const code = response.responseStatus.valueBlock.valueDec;
  const status = (Object.keys(OCSP_RESPONSE_STATUS) as OcspResponseStatus[]).find(
    (k) => OCSP_RESPONSE_STATUS[k] === code,
  );
  if (!status) throw new PkiError('malformed_der', `unknown OCSP response status ${code}`);
  if (!response.responseBytes) return { status };
  if (response.responseBytes.responseType !== OID.ocspBasic)
    throw new PkiError('malformed_der', 'not a BasicOCSPResponse');
  const basic = decodeWith(
    'BasicOCSPResponse',
    response.responseBytes.response.valueBlock.valueHexView,
    (schema) => new pkijs.BasicOCSPResponse({ schema }),
  );
  const data = basic.tbsResponseData;
  const nonce = findExtension(data.responseExtensions, OID.ocspNonce);
  const responderKeyHash =
    data.responderID instanceof asn1js.OctetString
      ? new Uint8Array(data.responderID.valueBlock.valueHexView)
      : undefined;
  return {
    status,
    basic: {
      response: basic,
      ...(responderKeyHash && { responderKeyHash }),
      producedAt: data.producedAt,
      ...(nonce && { nonce: new Uint8Array(nonce.extnValue.valueBlock.valueHexView) }),
      certificates: basic.certs ?? [],
      responses: data.responses.map((single) => ({
        serialNumber: integerHex(single.certID.serialNumber),
        issuerNameHash: new Uint8Array(single.certID.issuerNameHash.valueBlock.valueHexView),
        issuerKeyHash: new Uint8Array(single.certID.issuerKeyHash.valueBlock.valueHexView),
        status: decodeCertStatus(single.certStatus),
        thisUpdate: single.thisUpdate,
        ...(single.nextUpdate && { nextUpdate: single.nextUpdate }),
      })),
    },
  };
}

/** Verify a BasicOCSPResponse signature against the responder certificate we expect. */
export async function verifyOcspResponseSignature(
  parsed: ParsedOcspResponse,
  responderCertificate: pkijs.Certificate,
): Promise<boolean> {
  const basic = parsed.basic?.response;
  if (!basic) return false;
  if (
    parsed.basic?.responderKeyHash &&
    !bytesEqual(parsed.basic.responderKeyHash, await responderKeyHash(responderCertificate))
  )
    return false;
  return verifySignature(
    responderCertificate.subjectPublicKeyInfo,
    basic.signatureAlgorithm,
    toBytes(basic.tbsResponseData.tbsView),
    basic.signature,
  );
}
