import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digest, HashName } from './crypto-engine';
import {
  BinaryInput,
  bytesEqual,
  bytesToHex,
  checkDerStructure,
  integerFromHex,
  toArrayBuffer,
  toBytes,
} from './der-encoding';
import {
  childrenExactly,
  contentOf,
  DerNode,
  encodedOf,
  expect,
  forEachChild,
  readIntegerBytes,
  readOid,
  readRoot,
  readSmallInteger,
  TAG,
} from './der-reader';
import { nameDer } from './distinguished-name';
import { readExtensionList, spkiKeyIdentifier } from './extensions';
import { OID } from './oids';
import { PkiError } from './pki-error';

/** RFC 6960 requests are a few hundred bytes; anything near this bound is abuse. */
export const MAX_OCSP_REQUEST_BYTES = 64 * 1024;
/** OCSPRequest → TBSRequest → requestExtensions → Extension → nonce is < 10 levels deep. */
export const MAX_OCSP_REQUEST_DEPTH = 16;
export const MAX_OCSP_CERT_IDS = 32;
/** Per extension list (request, single request): real clients send one or two. */
export const MAX_OCSP_EXTENSIONS = 8;
/** RFC 8954 §2.1: nonces are 1..32 octets (plus the 2-octet OCTET STRING header inside extnValue). */
const MAX_NONCE_EXTENSION_VALUE = 34;

const HASHES: Record<string, HashName> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};
const malformed = (message: string) => new PkiError('malformed_der', message);

const HASH_OIDS: Record<HashName, string> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

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

export type OcspRequestParseResult =
  { ok: true; request: OcspRequestInfo } | { ok: false; status: 'malformedRequest'; reason: string };

/**
 * Parse a DER OCSPRequest from an untrusted client. Never throws: size, framing, nesting depth,
 * structure and count problems all become `{ ok: false, status: 'malformedRequest' }` (RFC 6960 2.3),
 * which the responder answers with `buildOcspErrorResponse('malformedRequest')`.
 *
 * Read in place with the strict DER reader: counts (CertIDs, extensions) are checked while walking,
 * so a request with a thousand CertIDs or nonces costs a scan, not a decode; serials must be minimal,
 * non-negative INTEGERs (X.690 8.3.2, RFC 5280 4.1.2.2), so each certificate has one CertID per hash
 * algorithm encoding and the cache can never hold an answer echoing an alias of it.
 */
export function parseOcspRequest(input: BinaryInput): OcspRequestParseResult {
  try {
    return { ok: true, request: decodeOcspRequest(input) };
  } catch (error) {
    return {
      ok: false,
      status: 'malformedRequest',
      reason: error instanceof Error ? error.message : 'unparseable request',
    };
  }
}

/** `parseOcspRequest`'s decoder: the request, or a PkiError (what the fuzz tests hold it to). */
export function decodeOcspRequest(input: BinaryInput): OcspRequestInfo {
  const bytes = toBytes(input);
  if (bytes.length > MAX_OCSP_REQUEST_BYTES)
    throw new PkiError('input_too_large', `request exceeds ${MAX_OCSP_REQUEST_BYTES} bytes`);
  checkDerStructure(bytes, MAX_OCSP_REQUEST_DEPTH);
  return readOcspRequest(bytes);
}

/**
 * OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
 * TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT GeneralName OPTIONAL,
 *   requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
 * Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
function readOcspRequest(bytes: Uint8Array): OcspRequestInfo {
  const [tbsNode, signature] = childrenExactly(
    bytes,
    readRoot(bytes, TAG.sequence, 'OCSPRequest'),
    1,
    2,
    'OCSPRequest',
  );
  if (signature && signature.tag !== 0xa0) throw malformed('OCSPRequest: unexpected field after tbsRequest');
  const fields = childrenExactly(bytes, expect(tbsNode!, TAG.sequence, 'TBSRequest'), 1, 4, 'TBSRequest');
  let index = 0;
  if (fields[index]?.tag === 0xa0) {
    const [version] = childrenExactly(bytes, fields[index++]!, 1, 1, 'TBSRequest.version');
    if (readSmallInteger(bytes, version!, 'TBSRequest.version') !== 0)
      throw malformed('TBSRequest: only version 1 is defined');
  }
  if (fields[index]?.tag === 0xa1) index++; // requestorName: informational, not checked (requests are not authenticated)
  const list = fields[index++];
  if (!list) throw malformed('TBSRequest: missing requestList');
  const certIds: OcspCertId[] = [];
  forEachChild(
    bytes,
    expect(list, TAG.sequence, 'requestList'),
    MAX_OCSP_CERT_IDS,
    'requestList (CertIDs)',
    (request) => {
      const [reqCert, single] = childrenExactly(
        bytes,
        expect(request, TAG.sequence, 'Request'),
        1,
        2,
        'Request',
      );
      if (single)
        readExtensionList(
          bytes,
          explicitSequence(bytes, single, 0xa0, 'singleRequestExtensions'),
          MAX_OCSP_EXTENSIONS,
          'singleRequestExtensions',
        );
      certIds.push(readCertId(bytes, reqCert!));
    },
  );
  if (certIds.length === 0) throw malformed('empty requestList');
  const info: OcspRequestInfo = { certIds, signed: signature !== undefined };
  const extensionsNode = fields[index++];
  if (extensionsNode) {
    if (index !== fields.length) throw malformed('TBSRequest: data after requestExtensions');
    const extensions = readExtensionList(
      bytes,
      explicitSequence(bytes, extensionsNode, 0xa2, 'requestExtensions'),
      MAX_OCSP_EXTENSIONS,
      'requestExtensions',
    );
    const nonce = extensions.find((e) => e.oid === OID.ocspNonce);
    if (nonce) {
      if (nonce.value.length > 0 && nonce.value.length <= MAX_NONCE_EXTENSION_VALUE)
        info.nonce = nonce.value.slice();
      else info.nonceIgnored = true;
    }
  } else if (index < fields.length) {
    throw malformed('TBSRequest: unexpected field');
  }
  return info;
}

/** `[n] EXPLICIT SEQUENCE …`: the SEQUENCE inside the context tag. */
function explicitSequence(bytes: Uint8Array, node: DerNode, tag: number, what: string): DerNode {
  const [inner] = childrenExactly(bytes, expect(node, tag, what), 1, 1, what);
  return expect(inner!, TAG.sequence, what);
}

/** CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING, issuerKeyHash OCTET STRING, serialNumber INTEGER } */
function readCertId(bytes: Uint8Array, node: DerNode): OcspCertId {
  const [algorithm, nameHash, keyHash, serial] = childrenExactly(
    bytes,
    expect(node, TAG.sequence, 'CertID'),
    4,
    4,
    'CertID',
  );
  const [oidNode, parameters] = childrenExactly(
    bytes,
    expect(algorithm!, TAG.sequence, 'CertID.hashAlgorithm'),
    1,
    2,
    'CertID.hashAlgorithm',
  );
  const oid = readOid(bytes, oidNode!, 'CertID.hashAlgorithm');
  // The hashes CertIDs use take NULL or no parameters (RFC 5754 §2). Anything else is refused here:
  // the CertID is echoed into the signed response, and must re-encode as it was read.
  if (parameters && (parameters.tag !== TAG.null || parameters.end !== parameters.contentStart))
    throw malformed('CertID.hashAlgorithm: parameters must be absent or NULL');
  const serialBytes = readIntegerBytes(bytes, serial!, 'CertID.serialNumber');
  // A negative INTEGER is no serial (RFC 5280 4.1.2.2), and `ff` would alias `00 ff` once read as hex.
  if (serialBytes[0]! & 0x80) throw malformed('CertID.serialNumber: negative INTEGER');
  return {
    hashAlgorithm: HASHES[oid] ?? null,
    hashAlgorithmOid: oid,
    issuerNameHash: contentOf(bytes, expect(nameHash!, TAG.octetString, 'CertID.issuerNameHash')).slice(),
    issuerKeyHash: contentOf(bytes, expect(keyHash!, TAG.octetString, 'CertID.issuerKeyHash')).slice(),
    serialNumber: bytesToHex(
      serialBytes.length > 1 && serialBytes[0] === 0 ? serialBytes.subarray(1) : serialBytes,
    ),
    der: encodedOf(bytes, node).slice(),
  };
}

/** RFC 6960 4.1.1: hash of the issuer's DER subject name, and of its subjectPublicKey BIT STRING value. */
async function issuerHashes(
  issuer: pkijs.Certificate,
  hash: HashName,
): Promise<{ nameHash: Uint8Array; keyHash: Uint8Array }> {
  return {
    nameHash: await digest(hash, nameDer(issuer.subject)),
    keyHash: await digest(
      hash,
      toBytes(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    ),
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
export async function certIdFor(
  issuer: pkijs.Certificate,
  serialNumber: string,
  hash: HashName = 'SHA-1',
): Promise<OcspCertId> {
  const { nameHash, keyHash } = await issuerHashes(issuer, hash);
  const certId = new pkijs.CertID({
    // RFC 6960 uses AlgorithmIdentifier with NULL parameters for SHA-1 (as openssl sends it).
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: HASH_OIDS[hash],
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toArrayBuffer(nameHash) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toArrayBuffer(keyHash) }),
    serialNumber: integerFromHex(serialNumber),
  });
  const der = new Uint8Array(certId.toSchema().toBER());
  return readCertId(der, readRoot(der, TAG.sequence, 'CertID'));
}

/** Responder key hash (ResponderID byKey, RFC 6960 4.2.1): SHA-1 over the key, same as SKI method 1. */
export function responderKeyHash(certificate: pkijs.Certificate): Promise<Uint8Array> {
  return spkiKeyIdentifier(certificate.subjectPublicKeyInfo);
}
