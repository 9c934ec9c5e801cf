import { AltNames, canonicalizeIp } from './alt-names';
import { DER_SEQUENCE, derExtension, derOid, derTlv } from './der-writer';
import { KeyUsage, keyUsageBits } from './extension-values';
import { OID } from './oids';

// The end-entity extensions every issuance writes, encoded straight to DER (the pkijs builders in
// extensions.ts produce the same bytes, which der-reader.spec.ts checks; these skip the object trees).

const ascii = new TextEncoder();

/** RFC 5280 4.2.1.9, critical; cA FALSE is the DEFAULT and therefore not encoded (X.690 11.5). */
export function leafBasicConstraintsDer(): Uint8Array {
  return derExtension(OID.basicConstraints, true, Uint8Array.of(0x30, 0x00));
}

/** RFC 5280 4.2.1.3, critical; DER NamedBitList (trailing zero bits dropped, X.690 11.2.2). */
export function keyUsageDer(usages: readonly KeyUsage[]): Uint8Array {
  const { bytes, unusedBits } = keyUsageBits(usages);
  return derExtension(OID.keyUsage, true, derTlv(0x03, [Uint8Array.of(unusedBits), bytes]));
}

/** RFC 5280 4.2.1.12, non-critical; `purposes` are OIDs. */
export function extKeyUsageDer(purposes: readonly string[]): Uint8Array {
  return derExtension(OID.extKeyUsage, false, derTlv(DER_SEQUENCE, purposes.map(derOid)));
}

/** RFC 5280 4.2.1.6: dNSName, iPAddress, URI, rfc822Name in that order; critical exactly when the subject is empty. */
export function subjectAltNameDer(names: AltNames, subjectEmpty: boolean): Uint8Array {
  const generalNames = [
    ...names.dns.map((value) => derTlv(0x82, [ascii.encode(value)])),
    ...names.ip.map((value) => derTlv(0x87, [canonicalizeIp(value).bytes])),
    ...names.uri.map((value) => derTlv(0x86, [ascii.encode(value)])),
    ...names.email.map((value) => derTlv(0x81, [ascii.encode(value)])),
  ];
  return derExtension(OID.subjectAltName, subjectEmpty, derTlv(DER_SEQUENCE, generalNames));
}

/** RFC 5280 4.2.1.4, non-critical: one PolicyInformation per OID, without qualifiers. */
export function certificatePoliciesDer(policyOids: readonly string[]): Uint8Array {
  return derExtension(
    OID.certificatePolicies,
    false,
    derTlv(
      DER_SEQUENCE,
      policyOids.map((oid) => derTlv(DER_SEQUENCE, [derOid(oid)])),
    ),
  );
}
