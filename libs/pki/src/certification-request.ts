import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AltNames, emptyAltNames } from './alt-names';
import { RequestedExtensions } from './certificate-profile';
import { PemOrDer, pemEncode, readDerOrPem } from './der-encoding';
import {
  childrenExactly,
  childrenOf,
  DerNode,
  encodedOf,
  expect,
  readBitString,
  readOid,
  readRoot,
  readSmallInteger,
  TAG,
} from './der-reader';
import {
  buildName,
  commonNamesIn,
  DistinguishedName,
  distinguishedNameOf,
  readNameAttributes,
} from './distinguished-name';
import {
  basicConstraintsFromValue,
  extKeyUsageFromValue,
  generalNamesFromValue,
  keyUsageFromValue,
  RawExtension,
  readExtensions,
} from './extension-values';
import {
  basicConstraintsExtension,
  extKeyUsageExtension,
  KeyUsage,
  keyUsageExtension,
  subjectAltNameExtension,
} from './extensions';
import { KeyDescription, readSubjectPublicKeyInfo, SubjectPublicKey } from './key-type';
import { OID } from './oids';
import { PkiError } from './pki-error';
import { assertPublicKeySound } from './rsa-key-check';
import { verifyDerSignature } from './signature-algorithm';
import { attachSignature, signerPublicKeyInfo, Signer } from './signer';

export const CSR_PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;
/** Real CSRs are 0.5–3 KiB (RSA-4096 with many SANs stays well under this). */
export const MAX_CSR_BYTES = 16 * 1024;

/** A PKCS#10 request whose self-signature has been verified (RFC 2986 §3 proof of possession). */
export interface ParsedCsr {
  der: Uint8Array;
  subject: DistinguishedName;
  commonNames: string[];
  publicKey: SubjectPublicKey;
  key: KeyDescription;
  /** As requested, not canonicalized: profile evaluation canonicalizes. */
  altNames: AltNames;
  requested: RequestedExtensions;
  /** OIDs of requested extensions we neither honour nor refuse: they are never copied. */
  ignoredExtensions: string[];
}

/**
 * Parse and verify a CSR. Runs on every issuance, so it reads the DER in place (der-reader) instead of
 * building an ASN.1 object tree, and verifies the self-signature on the thread pool.
 *
 * CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
 * CertificationRequestInfo ::= SEQUENCE { version INTEGER (0), subject Name, subjectPKInfo, attributes [0] }
 */
export async function parseCsr(input: PemOrDer, options: { maxBytes?: number } = {}): Promise<ParsedCsr> {
  const der = readDerOrPem(input, { labels: CSR_PEM_LABELS, maxBytes: options.maxBytes ?? MAX_CSR_BYTES });
  const [info, signatureAlgorithm, signatureValue] = childrenExactly(
    der,
    readRoot(der, TAG.sequence, 'CertificationRequest'),
    3,
    3,
    'CertificationRequest',
  );
  const [version, subjectNode, spkiNode, attributesNode] = childrenExactly(
    der,
    expect(info!, TAG.sequence, 'CertificationRequestInfo'),
    3,
    4,
    'CertificationRequestInfo',
  );
  const versionNumber = readSmallInteger(der, version!, 'CSR version');
  if (versionNumber !== 0) throw new PkiError('malformed_der', `unsupported CSR version ${versionNumber}`);
  if (attributesNode && attributesNode.tag !== 0xa0)
    throw new PkiError('malformed_der', 'CSR attributes must be [0] IMPLICIT SET OF Attribute');
  const subjectAttributes = readNameAttributes(der, subjectNode!);

  const publicKey = readSubjectPublicKeyInfo(
    encodedOf(der, expect(spkiNode!, TAG.sequence, 'SubjectPublicKeyInfo')),
  ); // unsupported_key_type before signature work
  // An RSA key with e=1 "verifies" its own signature trivially: weak parameters are refused before it counts as proof.
  assertPublicKeySound(publicKey);
  const algorithmOid = readAlgorithmOid(der, signatureAlgorithm!);
  const { unusedBits, bits: signature } = readBitString(der, signatureValue!, 'CSR signature');
  if (unusedBits !== 0) throw new PkiError('malformed_der', 'CSR signature has unused bits');
  const signatureOk = await verifyDerSignature(publicKey, algorithmOid, encodedOf(der, info!), signature);
  if (!signatureOk)
    throw new PkiError(
      'csr_signature_invalid',
      'CSR signature does not verify with the public key it contains',
    );

  const seen = new Set<string>();
  const altNames = emptyAltNames();
  const requested: RequestedExtensions = {};
  const ignoredExtensions: string[] = [];
  for (const ext of attributesNode ? requestedExtensions(der, attributesNode) : []) {
    if (seen.has(ext.oid)) throw new PkiError('malformed_der', `extension ${ext.oid} requested twice`);
    seen.add(ext.oid);
    switch (ext.oid) {
      case OID.subjectAltName: {
        const { unsupported, ...names } = generalNamesFromValue(ext.value);
        Object.assign(altNames, names);
        if (unsupported.length) requested.unsupportedSanTypes = unsupported;
        break;
      }
      case OID.basicConstraints:
        requested.ca = basicConstraintsFromValue(ext.value).ca;
        break;
      case OID.keyUsage:
        requested.keyUsages = keyUsageFromValue(ext.value);
        break;
      case OID.extKeyUsage:
        requested.extendedKeyUsages = extKeyUsageFromValue(ext.value);
        break;
      case OID.nameConstraints:
        requested.nameConstraints = true;
        break;
      default:
        ignoredExtensions.push(ext.oid);
    }
  }
  return {
    der,
    subject: distinguishedNameOf(subjectAttributes),
    commonNames: commonNamesIn(subjectAttributes),
    publicKey,
    key: publicKey.key,
    altNames,
    requested,
    ignoredExtensions,
  };
}

/** AlgorithmIdentifier → OID; parameters must be absent or NULL (no RSA-PSS or other parameterized forms). */
function readAlgorithmOid(bytes: Uint8Array, node: DerNode): string {
  const [oid, params] = childrenExactly(
    bytes,
    expect(node, TAG.sequence, 'AlgorithmIdentifier'),
    1,
    2,
    'AlgorithmIdentifier',
  );
  if (params && (params.tag !== TAG.null || params.end !== params.contentStart)) {
    throw new PkiError('unsupported_signature_algorithm', 'signature algorithm parameters are not supported');
  }
  return readOid(bytes, oid!, 'signatureAlgorithm');
}

/** Extensions from the PKCS#9 extensionRequest attribute (RFC 2985 5.4.2), if any. */
function requestedExtensions(bytes: Uint8Array, attributes: DerNode): RawExtension[] {
  let found: RawExtension[] | undefined;
  for (const attribute of childrenOf(bytes, attributes)) {
    const [type, values] = childrenExactly(
      bytes,
      expect(attribute, TAG.sequence, 'Attribute'),
      2,
      2,
      'Attribute',
    );
    if (readOid(bytes, type!, 'Attribute.type') !== OID.extensionRequest) continue;
    const list = childrenOf(bytes, expect(values!, TAG.set, 'Attribute.values'));
    if (found || list.length !== 1)
      throw new PkiError('malformed_der', 'CSR must carry at most one extensionRequest with one value');
    found = readExtensions(bytes, list[0]!);
  }
  return found ?? [];
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
      attributes: [
        new pkijs.Attribute({
          type: OID.extensionRequest,
          values: [new pkijs.Extensions({ extensions }).toSchema()],
        }),
      ],
    }),
  });
  // encodeTBS is protected in pkijs' typings; toSchema(true) re-encodes the info from the fields.
  const tbs = new Uint8Array((csr.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!.toBER());
  await attachSignature(csr, tbs, request.signer);
  const der = new Uint8Array(csr.toSchema().toBER());
  return { der, pem: pemEncode(CSR_PEM_LABELS[0], der) };
}
