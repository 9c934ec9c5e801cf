import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AltNames, emptyAltNames } from './alt-names';
import { RequestedExtensions } from './certificate-profile';
import { decodeWith, PemOrDer, pemEncode, readDerOrPem } from './der-encoding';
import { buildName, commonNamesOf, DistinguishedName, readName } from './distinguished-name';
import {
  basicConstraintsExtension,
  extKeyUsageExtension,
  KeyUsage,
  keyUsageExtension,
  readBasicConstraints,
  readExtKeyUsage,
  readKeyUsage,
  readSubjectAltName,
  subjectAltNameExtension,
} from './extensions';
import { describePublicKey, KeyDescription } from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { verifySignature } from './signature-algorithm';
import { attachSignature, signerPublicKeyInfo, Signer } from './signer';

export const CSR_PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;
/** Real CSRs are 0.5–3 KiB (RSA-4096 with many SANs stays well under this). */
export const MAX_CSR_BYTES = 16 * 1024;

/** A PKCS#10 request whose self-signature has been verified (RFC 2986 §3 proof of possession). */
export interface ParsedCsr {
  der: Uint8Array;
  subject: DistinguishedName;
  commonNames: string[];
  publicKeyInfo: pkijs.PublicKeyInfo;
  key: KeyDescription;
  /** As requested, not canonicalized: profile evaluation canonicalizes. */
  altNames: AltNames;
  requested: RequestedExtensions;
  /** OIDs of requested extensions we neither honour nor refuse: they are never copied. */
  ignoredExtensions: string[];
}

export async function parseCsr(input: PemOrDer, options: { maxBytes?: number } = {}): Promise<ParsedCsr> {
  const der = readDerOrPem(input, { labels: CSR_PEM_LABELS, maxBytes: options.maxBytes ?? MAX_CSR_BYTES });
  const csr = decodeWith('CertificationRequest', der, (schema) => new pkijs.CertificationRequest({ schema }));
  if (csr.version !== 0) throw new PkiError('malformed_der', `unsupported CSR version ${csr.version}`);

  const key = describePublicKey(csr.subjectPublicKeyInfo); // unsupported_key_type before signature work
  const signatureOk = await verifySignature(csr.subjectPublicKeyInfo, csr.signatureAlgorithm, new Uint8Array(csr.tbsView), csr.signatureValue);
  if (!signatureOk) throw new PkiError('csr_signature_invalid', 'CSR signature does not verify with the public key it contains');

  const extensions = requestedExtensions(csr);
  const seen = new Set<string>();
  const altNames = emptyAltNames();
  const requested: RequestedExtensions = {};
  const ignoredExtensions: string[] = [];
  for (const ext of extensions) {
    if (seen.has(ext.extnID)) throw new PkiError('malformed_der', `extension ${ext.extnID} requested twice`);
    seen.add(ext.extnID);
    switch (ext.extnID) {
      case OID.subjectAltName: {
        const { unsupported, ...names } = readSubjectAltName(ext);
        Object.assign(altNames, names);
        if (unsupported.length) requested.unsupportedSanTypes = unsupported;
        break;
      }
      case OID.basicConstraints:
        requested.ca = readBasicConstraints(ext).ca;
        break;
      case OID.keyUsage:
        requested.keyUsages = readKeyUsage(ext);
        break;
      case OID.extKeyUsage:
        requested.extendedKeyUsages = readExtKeyUsage(ext);
        break;
      case OID.nameConstraints:
        requested.nameConstraints = true;
        break;
      default:
        ignoredExtensions.push(ext.extnID);
    }
  }
  return {
    der,
    subject: readName(csr.subject),
    commonNames: commonNamesOf(csr.subject),
    publicKeyInfo: csr.subjectPublicKeyInfo,
    key,
    altNames,
    requested,
    ignoredExtensions,
  };
}

/** Extensions from the PKCS#9 extensionRequest attribute (RFC 2985 5.4.2), if any. */
function requestedExtensions(csr: pkijs.CertificationRequest): pkijs.Extension[] {
  const attributes = (csr.attributes ?? []).filter((a) => a.type === OID.extensionRequest);
  if (attributes.length > 1 || (attributes[0] && attributes[0].values.length !== 1)) {
    throw new PkiError('malformed_der', 'CSR must carry at most one extensionRequest with one value');
  }
  if (!attributes[0]) return [];
  const value = attributes[0].values[0] as asn1js.AsnType;
  return decodeWith('extensionRequest', value.toBER(), (schema) => new pkijs.Extensions({ schema })).extensions;
}

export interface CsrRequest {
  signer: Signer;
  subject: DistinguishedName;
  altNames?: Partial<AltNames>;
  /** Extensions to ask for (used for intermediate CSRs; policy decides what is granted). */
  ca?: { pathLength?: number };
  keyUsages?: KeyUsage[];
  /** OIDs. */
  extendedKeyUsages?: string[];
  /** Anything else (tooling / tests exercising how foreign extensions are treated). */
  extraExtensions?: pkijs.Extension[];
}

/** Build and sign a PKCS#10 request (intermediate CA CSRs for an external root, tests, tooling). */
export async function createCsr(request: CsrRequest): Promise<{ der: Uint8Array; pem: string }> {
  const names = { ...emptyAltNames(), ...request.altNames };
  const extensions: pkijs.Extension[] = [];
  if (names.dns.length + names.ip.length + names.uri.length + names.email.length) {
    extensions.push(subjectAltNameExtension(names, Object.keys(request.subject).length === 0));
  }
  if (request.ca) extensions.push(basicConstraintsExtension(true, request.ca.pathLength));
  if (request.keyUsages?.length) extensions.push(keyUsageExtension(request.keyUsages));
  if (request.extendedKeyUsages?.length) extensions.push(extKeyUsageExtension(request.extendedKeyUsages));
  extensions.push(...(request.extraExtensions ?? []));

  const csr = new pkijs.CertificationRequest({
    version: 0,
    subject: buildName(request.subject),
    subjectPublicKeyInfo: await signerPublicKeyInfo(request.signer),
    ...(extensions.length && {
      attributes: [new pkijs.Attribute({ type: OID.extensionRequest, values: [new pkijs.Extensions({ extensions }).toSchema()] })],
    }),
  });
  // encodeTBS is protected in pkijs' typings; toSchema(true) re-encodes the info from the fields.
  const tbs = new Uint8Array((csr.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!.toBER());
  await attachSignature(csr, tbs, request.signer);
  const der = new Uint8Array(csr.toSchema().toBER());
  return { der, pem: pemEncode(CSR_PEM_LABELS[0], der) };
}
