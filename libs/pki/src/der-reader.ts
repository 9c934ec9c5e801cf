import { PkiError } from './pki-error';

// Minimal strict DER reader (X.690 8.1 framing, definite minimal lengths) for the hot paths that only
// need to look at a few fields: CSRs on every issuance, the TBS the linter checks. It returns offsets
// into the input instead of building objects, which is what makes it cheap; asn1js/pkijs remain the
// parsers for everything else.

/** One TLV: `tag` is the single identifier octet (the PKIX structures read here use no high tags). */
export interface DerNode {
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  contentStart: number;
  end: number;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

const malformed = (message: string) => new PkiError('malformed_der', message);

/** The TLV starting at `pos`, which must end at or before `end`. */
export function readNode(bytes: Uint8Array, pos: number, end: number = bytes.length): DerNode {
  if (pos + 2 > end) throw malformed(`truncated element at offset ${pos}`);
  const tag = bytes[pos]!;
  if ((tag & 0x1f) === 0x1f) throw malformed(`unexpected high tag number at offset ${pos}`);
  let p = pos + 1;
  const first = bytes[p++]!;
  let length = first;
  if (first >= 0x80) {
    const octets = first & 0x7f;
    if (octets === 0) throw malformed(`indefinite length at offset ${pos}`);
    if (octets > 4 || p + octets > end) throw malformed(`bad length at offset ${pos}`);
    if (bytes[p] === 0) throw malformed(`non-minimal length at offset ${pos}`);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[p++]!;
    if (length < 0x80) throw malformed(`non-minimal length at offset ${pos}`);
  }
  if (p + length > end) throw malformed(`length beyond end of input at offset ${pos}`);
  return { tag, start: pos, contentStart: p, end: p + length };
}

/** The single element that makes up all of `bytes` (trailing data is an error). */
export function readRoot(bytes: Uint8Array, expectedTag: number, what: string): DerNode {
  const node = readNode(bytes, 0, bytes.length);
  if (node.end !== bytes.length) throw malformed(`${what}: trailing data after the DER element`);
  return expect(node, expectedTag, what);
}

export function expect(node: DerNode, tag: number, what: string): DerNode {
  if (node.tag !== tag)
    throw malformed(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** The elements inside a constructed node, in order. */
export function childrenOf(bytes: Uint8Array, node: DerNode): DerNode[] {
  const children: DerNode[] = [];
  for (let pos = node.contentStart; pos < node.end;) {
    const child = readNode(bytes, pos, node.end);
    children.push(child);
    pos = child.end;
  }
  return children;
}

/**
 * Visit the children of a constructed node one at a time, refusing the (max+1)th before it is read:
 * a hostile list of thousands of elements costs one header read past the limit, not a decode.
 */
export function forEachChild(
  bytes: Uint8Array,
  node: DerNode,
  max: number,
  what: string,
  visit: (child: DerNode, index: number) => void,
): number {
  let count = 0;
  for (let pos = node.contentStart; pos < node.end; count++) {
    if (count === max) throw malformed(`${what}: more than ${max} elements`);
    const child = readNode(bytes, pos, node.end);
    visit(child, count);
    pos = child.end;
  }
  return count;
}

/** Exactly `count` children (optional trailing ones are the caller's business: pass a range). */
export function childrenExactly(
  bytes: Uint8Array,
  node: DerNode,
  min: number,
  max: number,
  what: string,
): DerNode[] {
  const children = childrenOf(bytes, node);
  if (children.length < min || children.length > max)
    throw malformed(`${what}: expected ${min}..${max} elements, found ${children.length}`);
  return children;
}

export function contentOf(bytes: Uint8Array, node: DerNode): Uint8Array {
  return bytes.subarray(node.contentStart, node.end);
}

export function encodedOf(bytes: Uint8Array, node: DerNode): Uint8Array {
  return bytes.subarray(node.start, node.end);
}

/** Dotted OBJECT IDENTIFIER (X.690 8.19); arcs bounded to 2^53 and the OID to 64 content octets. */
export function readOid(bytes: Uint8Array, node: DerNode, what = 'OBJECT IDENTIFIER'): string {
  expect(node, TAG.oid, what);
  const length = node.end - node.contentStart;
  if (length === 0 || length > 64) throw malformed(`${what}: OID of ${length} octets`);
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = node.contentStart; i < node.end; i++) {
    const octet = bytes[i]!;
    if (fresh && octet === 0x80) throw malformed(`${what}: non-minimal OID arc`);
    value = value * 128 + (octet & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw malformed(`${what}: OID arc too large`);
    fresh = (octet & 0x80) === 0;
    if (fresh) {
      if (arcs.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  if (!fresh) throw malformed(`${what}: truncated OID`);
  return arcs.join('.');
}

export function readBoolean(bytes: Uint8Array, node: DerNode, what: string): boolean {
  expect(node, TAG.boolean, what);
  if (node.end - node.contentStart !== 1) throw malformed(`${what}: BOOLEAN must be one octet`);
  const value = bytes[node.contentStart]!;
  if (value !== 0 && value !== 0xff) throw malformed(`${what}: BOOLEAN must be 00 or FF in DER`);
  return value === 0xff;
}

/** INTEGER content octets (two's complement), checked for minimal encoding. */
export function readIntegerBytes(bytes: Uint8Array, node: DerNode, what: string): Uint8Array {
  expect(node, TAG.integer, what);
  const content = contentOf(bytes, node);
  if (content.length === 0) throw malformed(`${what}: empty INTEGER`);
  if (
    content.length > 1 &&
    ((content[0] === 0 && !(content[1]! & 0x80)) || (content[0] === 0xff && content[1]! & 0x80))
  ) {
    throw malformed(`${what}: non-minimal INTEGER`);
  }
  return content;
}

/** A small non-negative INTEGER (versions, path lengths). */
export function readSmallInteger(bytes: Uint8Array, node: DerNode, what: string): number {
  const content = readIntegerBytes(bytes, node, what);
  if (content[0]! & 0x80) throw malformed(`${what}: negative INTEGER`);
  if (content.length > 4) throw malformed(`${what}: INTEGER too large`);
  let value = 0;
  for (const octet of content) value = value * 256 + octet;
  return value;
}

/** BIT STRING → the unused-bit count and the bit octets. */
export function readBitString(
  bytes: Uint8Array,
  node: DerNode,
  what: string,
): { unusedBits: number; bits: Uint8Array } {
  expect(node, TAG.bitString, what);
  if (node.end === node.contentStart) throw malformed(`${what}: empty BIT STRING`);
  const unusedBits = bytes[node.contentStart]!;
  if (unusedBits > 7 || (unusedBits > 0 && node.end - node.contentStart === 1))
    throw malformed(`${what}: bad unused-bit count`);
  return { unusedBits, bits: bytes.subarray(node.contentStart + 1, node.end) };
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The directory string types found in names and GeneralNames, as text. */
export function readString(bytes: Uint8Array, node: DerNode, what: string): string {
  const content = contentOf(bytes, node);
  try {
    switch (node.tag) {
      case TAG.utf8String:
        return utf8.decode(content);
      case TAG.printableString:
      case TAG.ia5String:
      case TAG.t61String:
      case 0x81: // [1] rfc822Name, [2] dNSName, [6] URI: IA5String under a context tag
      case 0x82:
      case 0x86:
        return latin1.decode(content);
      case TAG.bmpString: {
        if (content.length % 2) throw new Error('odd length');
        let text = '';
        for (let i = 0; i < content.length; i += 2)
          text += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
        return text;
      }
      case TAG.universalString: {
        if (content.length % 4) throw new Error('length not a multiple of 4');
        let text = '';
        for (let i = 0; i < content.length; i += 4) {
          text += String.fromCodePoint(
            ((content[i]! << 24) | (content[i + 1]! << 16) | (content[i + 2]! << 8) | content[i + 3]!) >>> 0,
          );
        }
        return text;
      }
      default:
        throw new Error(`tag 0x${node.tag.toString(16)} is not a string type`);
    }
  } catch (error) {
    throw malformed(`${what}: ${(error as Error).message}`);
  }
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the only forms RFC 5280 4.1.2.5 allows. */
export function readTime(bytes: Uint8Array, node: DerNode, what: string): Date {
  const text = latin1.decode(contentOf(bytes, node));
  let match: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.utcTime && (match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    year = Number(match[1]);
    year += year < 50 ? 2000 : 1900;
  } else if (
    node.tag === TAG.generalizedTime &&
    (match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))
  ) {
    year = Number(match[1]);
  } else {
    throw malformed(`${what}: not a UTCTime/GeneralizedTime in RFC 5280 form`);
  }
  const [, , month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year, month! - 1, day, hour, minute, second));
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== day)
    throw malformed(`${what}: invalid date ${text}`);
  return date;
}
