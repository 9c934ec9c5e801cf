import * as pkijs from 'pkijs';
import { decodeWith } from './der-encoding';
import { childrenExactly, childrenOf, DerNode, expect, readOid, readString, TAG } from './der-reader';
import { DER_SEQUENCE, derOid, derTlv } from './der-writer';
import { OID } from './oids';
import { PkiError } from './pki-error';

const utf8Encoder = new TextEncoder();

/** The subject attributes the platform sets. Anything else a CSR carries is never copied. */
export interface DistinguishedName {
  country?: string;
  state?: string;
  locality?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName?: string;
  serialNumber?: string;
}

// Order (most significant first, as openssl prints them), OID, encoder, X.520 upper bound (RFC 5280 App. A).
const ATTRIBUTES: ReadonlyArray<[keyof DistinguishedName, string, 'printable' | 'utf8', number]> = [
  ['country', OID.country, 'printable', 2],
  ['state', OID.state, 'utf8', 128],
  ['locality', OID.locality, 'utf8', 128],
  ['organization', OID.organization, 'utf8', 64],
  ['organizationalUnit', OID.organizationalUnit, 'utf8', 64],
  ['commonName', OID.commonName, 'utf8', 64],
  ['serialNumber', OID.serialNumber, 'printable', 64],
];

const SHORT_NAMES: Record<string, string> = {
  [OID.country]: 'C',
  [OID.state]: 'ST',
  [OID.locality]: 'L',
  [OID.organization]: 'O',
  [OID.organizationalUnit]: 'OU',
  [OID.commonName]: 'CN',
  [OID.serialNumber]: 'serialNumber',
};

/**
 * Encode a Name with one attribute per RDN (pkijs would put all attributes in a single multi-valued
 * RDN). Country and serialNumber are PrintableString (RFC 5280 App. A), everything else UTF8String
 * (RFC 5280 4.1.2.6).
 */
export function nameToDer(dn: DistinguishedName): Uint8Array<ArrayBuffer> {
  const rdns: Uint8Array[] = [];
  for (const [key, oid, encoding, maxLength] of ATTRIBUTES) {
    const value = dn[key];
    if (value === undefined) continue;
    // Control characters in a subject are never legitimate and confuse parsers and log readers.
    // eslint-disable-next-line no-control-regex
    if (value.length === 0 || value.length > maxLength || /[\u0000-\u001f\u007f]/.test(value)) {
      throw new PkiError('invalid_name', `subject ${key} must be 1..${maxLength} printable characters`);
    }
    if (encoding === 'printable' && !/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) {
      throw new PkiError('invalid_name', `subject ${key} must be a PrintableString`);
    }
    if (key === 'country' && !/^[A-Z]{2}$/.test(value))
      throw new PkiError('invalid_name', 'country must be an ISO 3166 alpha-2 code');
    const text = derTlv(encoding === 'printable' ? TAG.printableString : TAG.utf8String, [
      utf8Encoder.encode(value),
    ]);
    rdns.push(derTlv(TAG.set, [derTlv(DER_SEQUENCE, [derOid(oid), text])]));
  }
  return derTlv(DER_SEQUENCE, rdns);
}

/** `nameToDer` as a pkijs object (CA and CSR construction), keeping the exact bytes. */
export function buildName(dn: DistinguishedName): pkijs.RelativeDistinguishedNames {
  return decodeWith('Name', nameToDer(dn), (schema) => new pkijs.RelativeDistinguishedNames({ schema }));
}

/** One AttributeTypeAndValue of a Name, in encoding order. */
export interface NameAttribute {
  oid: string;
  value: string;
}

/** A DER Name (RDNSequence) → its attributes; multi-valued RDNs are flattened in order. */
export function readNameAttributes(bytes: Uint8Array, node: DerNode): NameAttribute[] {
  expect(node, TAG.sequence, 'Name');
  const attributes: NameAttribute[] = [];
  for (const rdn of childrenOf(bytes, node)) {
    expect(rdn, TAG.set, 'RelativeDistinguishedName');
    for (const atv of childrenOf(bytes, rdn)) {
      const [type, value] = childrenExactly(
        bytes,
        expect(atv, TAG.sequence, 'AttributeTypeAndValue'),
        2,
        2,
        'AttributeTypeAndValue',
      );
      const oid = readOid(bytes, type!, 'AttributeType');
      // Only the attributes we interpret must be strings; others are carried as opaque.
      attributes.push({
        oid,
        value: SHORT_NAMES[oid] ? readString(bytes, value!, `Name ${SHORT_NAMES[oid]}`) : '',
      });
    }
  }
  return attributes;
}

/** First value of each attribute we know about. */
export function distinguishedNameOf(attributes: readonly NameAttribute[]): DistinguishedName {
  const result: DistinguishedName = {};
  for (const { oid, value } of attributes) {
    const entry = ATTRIBUTES.find(([, known]) => known === oid);
    if (entry && result[entry[0]] === undefined) result[entry[0]] = value;
  }
  return result;
}

export function commonNamesIn(attributes: readonly NameAttribute[]): string[] {
  return attributes.filter((a) => a.oid === OID.commonName).map((a) => a.value);
}

function attributeValue(value: unknown): string {
  const block = (value as { valueBlock?: { value?: unknown } }).valueBlock;
  return typeof block?.value === 'string' ? block.value : '';
}

/** First value of each attribute we know about. */
export function readName(name: pkijs.RelativeDistinguishedNames): DistinguishedName {
  const result: DistinguishedName = {};
  for (const tv of name.typesAndValues) {
    const entry = ATTRIBUTES.find(([, oid]) => oid === tv.type);
    if (entry && result[entry[0]] === undefined) result[entry[0]] = attributeValue(tv.value);
  }
  return result;
}

/** All CN values (RFC 5280 allows several; we refuse more than one where it matters). */
export function commonNamesOf(name: pkijs.RelativeDistinguishedNames): string[] {
  return name.typesAndValues.filter((tv) => tv.type === OID.commonName).map((tv) => attributeValue(tv.value));
}

/** DER of a Name exactly as encoded (issuer/subject comparisons and OCSP name hashes need the bytes). */
export function nameDer(name: pkijs.RelativeDistinguishedNames): Uint8Array {
  return new Uint8Array(name.toSchema().toBER());
}
