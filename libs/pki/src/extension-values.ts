import { AltNames, emptyAltNames, ipFromBytes } from './alt-names';
import {
  childrenExactly,
  childrenOf,
  contentOf,
  DerNode,
  expect,
  readBitString,
  readBoolean,
  readNode,
  readOid,
  readRoot,
  readSmallInteger,
  readString,
  TAG,
} from './der-reader';
import { PkiError } from './pki-error';

// Decoders for the extnValue contents of the extensions the CA issues and the CSRs it reads, straight
// from DER bytes. They run on every issuance (CSR wishes, pre-issuance lint), so they avoid building
// ASN.1 object trees; the pkijs-facing readers in extensions.ts delegate here.

/** RFC 5280 4.2.1.3 KeyUsage bits, by name, in bit order. */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** One Extension (RFC 5280 4.1): id, criticality and the DER inside extnValue. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` at `node`. Duplicates are the caller's concern. */
export function readExtensions(bytes: Uint8Array, node: DerNode): RawExtension[] {
  expect(node, TAG.sequence, 'Extensions');
  return childrenOf(bytes, node).map((child) => {
    const parts = childrenExactly(bytes, expect(child, TAG.sequence, 'Extension'), 2, 3, 'Extension');
    const critical = parts.length === 3 ? readBoolean(bytes, parts[1]!, 'Extension.critical') : false;
    if (parts.length === 3 && !critical)
      throw new PkiError('malformed_der', 'Extension.critical FALSE must be omitted in DER');
    return {
      oid: readOid(bytes, parts[0]!, 'Extension.extnID'),
      critical,
      value: contentOf(bytes, expect(parts.at(-1)!, TAG.octetString, 'Extension.extnValue')),
    };
  });
}

/** KeyUsage as a DER NamedBitList (X.690 11.2.2): the bits up to the highest one set, and the unused count. */
export function keyUsageBits(usages: readonly KeyUsage[]): { bytes: Uint8Array; unusedBits: number } {
  const bits = usages.map((u) => KEY_USAGES.indexOf(u));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return { bytes, unusedBits: 7 - (highest % 8) };
}

export function keyUsageFromValue(value: Uint8Array): KeyUsage[] {
  const { bits } = readBitString(value, readRoot(value, TAG.bitString, 'KeyUsage'), 'KeyUsage');
  return KEY_USAGES.filter(
    (_, bit) => bit >> 3 < bits.length && (bits[bit >> 3]! & (0x80 >> (bit & 7))) !== 0,
  );
}

export function extKeyUsageFromValue(value: Uint8Array): string[] {
  const root = readRoot(value, TAG.sequence, 'ExtKeyUsage');
  const purposes = childrenOf(value, root).map((node) => readOid(value, node, 'KeyPurposeId'));
  if (purposes.length === 0) throw new PkiError('malformed_der', 'ExtKeyUsage is empty');
  return purposes;
}

/** certificatePolicies (RFC 5280 4.2.1.4) → the policy OIDs; qualifiers are not read. */
export function certificatePolicyOidsFromValue(value: Uint8Array): string[] {
  const policies = childrenOf(value, readRoot(value, TAG.sequence, 'CertificatePolicies')).map((info) => {
    const [oid] = childrenExactly(
      value,
      expect(info, TAG.sequence, 'PolicyInformation'),
      1,
      2,
      'PolicyInformation',
    );
    return readOid(value, oid!, 'CertPolicyId');
  });
  if (policies.length === 0) throw new PkiError('malformed_der', 'CertificatePolicies is empty');
  return policies;
}

export function basicConstraintsFromValue(value: Uint8Array): { ca: boolean; pathLength?: number } {
  const parts = childrenExactly(
    value,
    readRoot(value, TAG.sequence, 'BasicConstraints'),
    0,
    2,
    'BasicConstraints',
  );
  let index = 0;
  let ca = false;
  if (parts[index]?.tag === TAG.boolean) ca = readBoolean(value, parts[index++]!, 'BasicConstraints.cA');
  if (index < parts.length) {
    const pathLength = readSmallInteger(value, parts[index++]!, 'BasicConstraints.pathLenConstraint');
    if (index !== parts.length) throw new PkiError('malformed_der', 'BasicConstraints has trailing elements');
    return { ca, pathLength };
  }
  return { ca };
}

// GeneralName CHOICE tags (RFC 5280 4.2.1.6), context-specific primitive
const GN_EMAIL = 0x81;
const GN_DNS = 0x82;
const GN_URI = 0x86;
const GN_IP = 0x87;

/**
 * GeneralNames as they were encoded (not canonicalized: callers canonicalize and compare). Name types
 * we do not issue (otherName, directoryName, …) are reported by tag number so callers can refuse them.
 */
export function generalNamesFromValue(value: Uint8Array): AltNames & { unsupported: number[] } {
  const result = { ...emptyAltNames(), unsupported: [] as number[] };
  for (const name of childrenOf(value, readRoot(value, TAG.sequence, 'GeneralNames'))) {
    switch (name.tag) {
      case GN_DNS:
        result.dns.push(readString(value, name, 'dNSName'));
        break;
      case GN_EMAIL:
        result.email.push(readString(value, name, 'rfc822Name'));
        break;
      case GN_URI:
        result.uri.push(readString(value, name, 'uniformResourceIdentifier'));
        break;
      case GN_IP:
        result.ip.push(ipFromBytes(contentOf(value, name)));
        break;
      default:
        result.unsupported.push(name.tag & 0x1f);
    }
  }
  return result;
}

export function subjectKeyIdFromValue(value: Uint8Array): Uint8Array {
  return contentOf(value, readRoot(value, TAG.octetString, 'SubjectKeyIdentifier'));
}

/** The keyIdentifier [0] of an AuthorityKeyIdentifier, if present. */
export function authorityKeyIdFromValue(value: Uint8Array): Uint8Array | undefined {
  const root = readRoot(value, TAG.sequence, 'AuthorityKeyIdentifier');
  const first = root.contentStart < root.end ? readNode(value, root.contentStart, root.end) : undefined;
  return first?.tag === 0x80 ? contentOf(value, first) : undefined;
}
