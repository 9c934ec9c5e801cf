import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digest, HashName } from './crypto-engine';
import { BinaryInput, bytesEqual, checkDerStructure, decodeWith, integerFromHex, integerHex, toArrayBuffer, toBytes } from './der-encoding';
import { nameDer } from './distinguished-name';
import { findExtension, spkiKeyIdentifier } from './extensions';
import { OID } from './oids';

/** RFC 6960 requests are a few hundred bytes; anything near this bound is abuse. */
export const MAX_OCSP_REQUEST_BYTES = 64 * 1024;
/** OCSPRequest → TBSRequest → requestExtensions → Extension → nonce is < 10 levels deep. */
export const MAX_OCSP_REQUEST_DEPTH = 16;
export const MAX_OCSP_CERT_IDS = 32;
/** RFC 8954 §2.1: nonces are 1..32 octets (plus the 2-octet OCTET STRING header inside extnValue). */
const MAX_NONCE_EXTENSION_VALUE = 34;

const HASHES: Record<string, HashName> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};
const HASH_OIDS: Record<HashName, string> = { 'SHA-1': OID.sha1, 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 };

/** RFC 6960 4.1.1 CertID, decoded; `der` is echoed verbatim in the response. */
export interface OcspCertId {
  /** null when the hash algorithm is not one we support (the status is then "unknown"). */
  hashAlgorithm: HashName | null;
  hashAlgorithmOid: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** Hex, as `IssuedCertificate.serialNumber`. */
  serialNumber: string;
  der: Uint8Array;
}

export interface OcspRequestInfo {
  certIds: OcspCertId[];
  /** The nonce extension value (extnValue contents) to echo, RFC 6960 4.4.1 / RFC 8954. */
  nonce?: Uint8Array;
  /** A nonce was present but outside RFC 8954 bounds; it is not echoed. */
  nonceIgnored?: boolean;
  /** The request carried an optionalSignature (not verified: we do not require signed requests). */
  signed: boolean;
}

export type OcspRequestParseResult = { ok: true; request: OcspRequestInfo } | { ok: false; status: 'malformedRequest'; reason: string };

/**
 * Parse a DER OCSPRequest from an untrusted client. Never throws: size, framing, nesting depth,
 * structure and count problems all become `{ ok: false, status: 'malformedRequest' }` (RFC 6960 2.3),
 * which the responder answers with `buildOcspErrorResponse('malformedRequest')`.
 */
export function parseOcspRequest(input: BinaryInput): OcspRequestParseResult {
  const malformed = (reason: string): OcspRequestParseResult => ({ ok: false, status: 'malformedRequest', reason });
  try {
    const bytes = toBytes(input);
    if (bytes.length > MAX_OCSP_REQUEST_BYTES) return malformed(`request exceeds ${MAX_OCSP_REQUEST_BYTES} bytes`);
    checkDerStructure(bytes, MAX_OCSP_REQUEST_DEPTH);
    const request = decodeWith('OCSPRequest', bytes, (schema) => new pkijs.OCSPRequest({ schema }));
    const list = request.tbsRequest.requestList;
    if (list.length === 0) return malformed('empty requestList');
    if (list.length > MAX_OCSP_CERT_IDS) return malformed(`more than ${MAX_OCSP_CERT_IDS} CertIDs`);
    const certIds = list.map((r) => decodeCertId(r.reqCert));
    const nonceExt = findExtension(request.tbsRequest.requestExtensions, OID.ocspNonce);
    const info: OcspRequestInfo = { certIds, signed: request.optionalSignature !== undefined };
    if (nonceExt) {
      const value = new Uint8Array(nonceExt.extnValue.valueBlock.valueHexView);
      if (value.length > 0 && value.length <= MAX_NONCE_EXTENSION_VALUE) info.nonce = value;
      else info.nonceIgnored = true;
    }
    return { ok: true, request: info };
  } catch (error) {
    return malformed(error instanceof Error ? error.message : 'unparseable request');
  }
}

function decodeCertId(certId: pkijs.CertID): OcspCertId {
  const oid = certId.hashAlgorithm.algorithmId;
  return {
    hashAlgorithm: HASHES[oid] ?? null,
    hashAlgorithmOid: oid,
    issuerNameHash: new Uint8Array(certId.issuerNameHash.valueBlock.valueHexView),
    issuerKeyHash: new Uint8Array(certId.issuerKeyHash.valueBlock.valueHexView),
    serialNumber: integerHex(certId.serialNumber),
    der: new Uint8Array(certId.toSchema().toBER()),
  };
}

/** RFC 6960 4.1.1: hash of the issuer's DER subject name, and of its subjectPublicKey BIT STRING value. */
async function issuerHashes(issuer: pkijs.Certificate, hash: HashName): Promise<{ nameHash: Uint8Array; keyHash: Uint8Array }> {
  return {
    nameHash: await digest(hash, nameDer(issuer.subject)),
    keyHash: await digest(hash, toBytes(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)),
  };
}

/**
 * Does `certId` designate a certificate issued by `issuer`? Lets one responder serve several CAs:
 * compute per CA and dispatch. Supports the SHA-1 CertIDs most clients send and SHA-256/384/512.
 */
export async function issuerMatch(certId: OcspCertId, issuer: pkijs.Certificate): Promise<boolean> {
  if (!certId.hashAlgorithm) return false;
  const { nameHash, keyHash } = await issuerHashes(issuer, certId.hashAlgorithm);
  return bytesEqual(nameHash, certId.issuerNameHash) && bytesEqual(keyHash, certId.issuerKeyHash);
}

/** The CertID a client would send for (issuer, serial): used to pre-sign responses and in tests. */
export async function certIdFor(issuer: pkijs.Certificate, serialNumber: string, hash: HashName = 'SHA-1'): Promise<OcspCertId> {
  const { nameHash, keyHash } = await issuerHashes(issuer, hash);
  const certId = new pkijs.CertID({
    // RFC 6960 uses AlgorithmIdentifier with NULL parameters for SHA-1 (as openssl sends it).
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OIDS[hash], algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toArrayBuffer(nameHash) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toArrayBuffer(keyHash) }),
    serialNumber: integerFromHex(serialNumber),
  });
  return decodeCertId(certId);
}

/** Responder key hash (ResponderID byKey, RFC 6960 4.2.1): SHA-1 over the key, same as SKI method 1. */
export function responderKeyHash(certificate: pkijs.Certificate): Promise<Uint8Array> {
  return spkiKeyIdentifier(certificate.subjectPublicKeyInfo);
}

