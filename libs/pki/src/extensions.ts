import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AltNames, altNamesToGeneralNames, canonicalizeDnsName } from './alt-names';
import { digest } from './crypto-engine';
import { decodeWith, toArrayBuffer, toBytes } from './der-encoding';
import {
  childrenExactly,
  contentOf,
  DerNode,
  expect,
  forEachChild,
  readBoolean,
  readOid,
  TAG,
} from './der-reader';
import {
  RawExtension,
  authorityKeyIdFromValue,
  basicConstraintsFromValue,
  extKeyUsageFromValue,
  generalNamesFromValue,
  KeyUsage,
  keyUsageBits,
  keyUsageFromValue,
  subjectKeyIdFromValue,
} from './extension-values';
import { EKU_OIDS, ExtendedKeyUsage, OID } from './oids';
import { PkiError } from './pki-error';

export { KEY_USAGES, type KeyUsage } from './extension-values';

/** The DER inside an Extension's extnValue OCTET STRING. */
function extnValueOf(ext: pkijs.Extension): Uint8Array {
  return new Uint8Array(ext.extnValue.valueBlock.valueHexView);
}

/** An Extension as DER (how templates and TBS builders carry it). */
export function extensionDer(ext: pkijs.Extension): Uint8Array {
  return new Uint8Array(ext.toSchema().toBER());
}

/** DNS name constraints (RFC 5280 4.2.1.10); names are canonicalized like SANs. */
export interface NameConstraintsSpec {
  permittedDns?: string[];
  excludedDns?: string[];
}

function extension(
  extnID: string,
  critical: boolean,
  value: asn1js.AsnType | { toSchema(): asn1js.AsnType },
): pkijs.Extension {
  const asn1 = 'toSchema' in value ? value.toSchema() : value;
  return new pkijs.Extension({ extnID, critical, extnValue: asn1.toBER() });
}

/** RFC 5280 4.2.1.9: critical; pathLen only on CAs. Leaves carry an explicit cA=FALSE. */
export function basicConstraintsExtension(ca: boolean, pathLength?: number): pkijs.Extension {
  return extension(
    OID.basicConstraints,
    true,
    new pkijs.BasicConstraints(
      ca && pathLength !== undefined ? { cA: true, pathLenConstraint: pathLength } : { cA: ca },
    ),
  );
}

/** DER NamedBitList (X.690 11.2.2): trailing zero bits dropped, unused-bit count set accordingly. */
export function keyUsageExtension(usages: readonly KeyUsage[]): pkijs.Extension {
  const { bytes, unusedBits } = keyUsageBits(usages);
  const bitString = new asn1js.BitString({ valueHex: toArrayBuffer(bytes), unusedBits });
  return extension(OID.keyUsage, true, bitString); // RFC 5280 4.2.1.3: SHOULD be critical
}

export function readKeyUsage(ext: pkijs.Extension): KeyUsage[] {
  return keyUsageFromValue(extnValueOf(ext));
}

export function extKeyUsageExtension(purposes: readonly string[]): pkijs.Extension {
  return extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [...purposes] }));
}

export function readExtKeyUsage(ext: pkijs.Extension): string[] {
  return extKeyUsageFromValue(extnValueOf(ext));
}

export function ekuName(oid: string): ExtendedKeyUsage | string {
  return (Object.keys(EKU_OIDS) as ExtendedKeyUsage[]).find((name) => EKU_OIDS[name] === oid) ?? oid;
}

/** RFC 5280 4.2.1.6: critical exactly when the subject is empty. */
export function subjectAltNameExtension(names: AltNames, subjectEmpty: boolean): pkijs.Extension {
  return extension(OID.subjectAltName, subjectEmpty, altNamesToGeneralNames(names));
}

export function readSubjectAltName(ext: pkijs.Extension): ReturnType<typeof generalNamesFromValue> {
  return generalNamesFromValue(extnValueOf(ext));
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value (`keyBits`). */
export function keyIdentifier(keyBits: Uint8Array): Promise<Uint8Array> {
  return digest('SHA-1', keyBits);
}

/** `keyIdentifier` of a pkijs SubjectPublicKeyInfo. */
export function spkiKeyIdentifier(spki: pkijs.PublicKeyInfo): Promise<Uint8Array> {
  return keyIdentifier(toBytes(spki.subjectPublicKey.valueBlock.valueHexView));
}

export function readSubjectKeyIdentifier(ext: pkijs.Extension): Uint8Array {
  return subjectKeyIdFromValue(extnValueOf(ext));
}

/** RFC 5280 4.2.1.1: keyIdentifier form only (issuer+serial form would pin the issuer's serial). */
export function authorityKeyIdentifierExtension(keyId: Uint8Array): pkijs.Extension {
  return extension(
    OID.authorityKeyIdentifier,
    false,
    new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(keyId) }),
    }),
  );
}

export function readAuthorityKeyIdentifier(ext: pkijs.Extension): Uint8Array | undefined {
  return authorityKeyIdFromValue(extnValueOf(ext));
}

const uriName = (uri: string) => new pkijs.GeneralName({ type: 6, value: uri });

/** RFC 5280 4.2.2.1 Authority Information Access: OCSP responder and CA Issuers URLs. */
export function authorityInfoAccessExtension(
  ocspUrls: readonly string[],
  caIssuersUrls: readonly string[],
): pkijs.Extension {
  return extension(
    OID.authorityInfoAccess,
    false,
    new pkijs.InfoAccess({
      accessDescriptions: [
        ...ocspUrls.map(
          (url) => new pkijs.AccessDescription({ accessMethod: OID.adOcsp, accessLocation: uriName(url) }),
        ),
        ...caIssuersUrls.map(
          (url) =>
            new pkijs.AccessDescription({ accessMethod: OID.adCaIssuers, accessLocation: uriName(url) }),
        ),
      ],
    }),
  );
}

/** RFC 5280 4.2.1.13: one DistributionPoint with fullName URIs. */
export function crlDistributionPointsExtension(
  urls: readonly string[],
  oid: string = OID.crlDistributionPoints,
): pkijs.Extension {
  return extension(
    oid,
    false,
    new pkijs.CRLDistributionPoints({
      distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: urls.map(uriName) })],
    }),
  );
}

/** RFC 5280 5.2.6 Freshest CRL: where the delta CRLs of a complete CRL are (CRLDistributionPoints syntax, non-critical). */
export function freshestCrlExtension(urls: readonly string[]): pkijs.Extension {
  return crlDistributionPointsExtension(urls, OID.freshestCrl);
}

/** RFC 5280 4.2.1.10: MUST be critical. */
export function nameConstraintsExtension(spec: NameConstraintsSpec): pkijs.Extension {
  const subtrees = (names: string[] | undefined) =>
    names?.length
      ? names.map(
          (name) =>
            new pkijs.GeneralSubtree({
              base: new pkijs.GeneralName({ type: 2, value: canonicalizeDnsName(name) }),
            }),
        )
      : undefined;
  const permittedSubtrees = subtrees(spec.permittedDns);
  const excludedSubtrees = subtrees(spec.excludedDns);
  return extension(
    OID.nameConstraints,
    true,
    new pkijs.NameConstraints({
      ...(permittedSubtrees && { permittedSubtrees }),
      ...(excludedSubtrees && { excludedSubtrees }),
    }),
  );
}

/**
 * DNS constraints of a CA certificate. Subtrees of other name types are returned as `otherTypes`
 * so that a checker can refuse rather than silently ignore constraints it does not evaluate.
 */
export function readNameConstraints(
  ext: pkijs.Extension,
): Required<NameConstraintsSpec> & { otherTypes: number[] } {
  const nc = decodeWith(
    'NameConstraints',
    ext.extnValue.valueBlock.valueHexView,
    (schema) => new pkijs.NameConstraints({ schema }),
  );
  const otherTypes: number[] = [];
  const dns = (subtrees: pkijs.GeneralSubtree[] | undefined) =>
    (subtrees ?? []).flatMap((s) => {
      if (s.base.type === 2) return [String(s.base.value).toLowerCase().replace(/^\./, '')];
      otherTypes.push(s.base.type);
      return [];
    });
  return { permittedDns: dns(nc.permittedSubtrees), excludedDns: dns(nc.excludedSubtrees), otherTypes };
}

/** RFC 6960 4.2.2.2.1 id-pkix-ocsp-nocheck: value NULL. */
export function ocspNoCheckExtension(): pkijs.Extension {
  return extension(OID.ocspNoCheck, false, new asn1js.Null());
}

export function readBasicConstraints(ext: pkijs.Extension): { ca: boolean; pathLength?: number } {
  return basicConstraintsFromValue(extnValueOf(ext));
}

export function findExtension(
  extensions: pkijs.Extension[] | undefined,
  oid: string,
): pkijs.Extension | undefined {
  return extensions?.find((e) => e.extnID === oid);
}

/** Extensions in one certificate: real ones carry about ten; the largest public ones, a few dozen. */
export const MAX_CERTIFICATE_EXTENSIONS = 64;

/**
 * `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` read in place, with the work bounded before any
 * decoding: more than `max` extensions, or the same extnID twice (RFC 5280 4.2: "MUST NOT include more
 * than one instance of a particular extension"), make the input malformed. An explicit critical FALSE
 * is tolerated here (BER habits of some clients); the issuance path's own reader refuses it.
 */
export function readExtensionList(
  bytes: Uint8Array,
  node: DerNode,
  max: number,
  what: string,
): RawExtension[] {
  expect(node, TAG.sequence, what);
  const extensions: RawExtension[] = [];
  const seen = new Set<string>();
  forEachChild(bytes, node, max, what, (child) => {
    const parts = childrenExactly(bytes, expect(child, TAG.sequence, 'Extension'), 2, 3, 'Extension');
    const oid = readOid(bytes, parts[0]!, 'Extension.extnID');
    if (seen.has(oid))
      throw new PkiError('malformed_der', `${what}: extension ${oid} appears more than once`);
    seen.add(oid);
    const critical = parts.length === 3 ? readBoolean(bytes, parts[1]!, 'Extension.critical') : false;
    extensions.push({
      oid,
      critical,
      value: contentOf(bytes, expect(parts.at(-1)!, TAG.octetString, 'Extension.extnValue')),
    });
  });
  if (extensions.length === 0) throw new PkiError('malformed_der', `${what}: empty (SIZE (1..MAX))`);
  return extensions;
}

/** `[n] EXPLICIT Extensions` → its extensions, bounded as in readExtensionList. */
export function readExplicitExtensions(
  bytes: Uint8Array,
  node: DerNode,
  max: number,
  what: string,
): RawExtension[] {
  const [inner] = childrenExactly(bytes, node, 1, 1, what);
  return readExtensionList(bytes, inner!, max, what);
}

/** Where relying parties find revocation status and the issuer certificate (RFC 5280 4.2.2.1, 4.2.1.13). */
export interface IssuanceUrls {
  ocspUrls?: string[];
  caIssuersUrls?: string[];
  crlDistributionPoints?: string[];
}

/** AIA and CRL locations are fetched by relying parties: plain http(s) URLs only. */
export function checkHttpUrls(urls: readonly string[]): void {
  for (const url of urls) {
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new PkiError('invalid_argument', `AIA / CRL URLs must be http(s): ${url}`);
  }
}

export function issuanceUrlExtensions(urls: IssuanceUrls | undefined): pkijs.Extension[] {
  const result: pkijs.Extension[] = [];
  const ocsp = urls?.ocspUrls ?? [];
  const caIssuers = urls?.caIssuersUrls ?? [];
  checkHttpUrls([...ocsp, ...caIssuers, ...(urls?.crlDistributionPoints ?? [])]);
  if (ocsp.length || caIssuers.length) result.push(authorityInfoAccessExtension(ocsp, caIssuers));
  if (urls?.crlDistributionPoints?.length)
    result.push(crlDistributionPointsExtension(urls.crlDistributionPoints));
  return result;
}
