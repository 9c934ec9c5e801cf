// Minimal DER writer for splicing structures from bytes already in hand (X.690 8.1: identifier, definite
// length in the minimal form, contents). Used where building asn1js objects only to serialize them again
// would dominate the cost (certificate assembly on the issuance path).

/**
 * One TLV whose contents are `parts` concatenated (single-octet tags only: all we need here), written
 * straight into one buffer: certificate assembly calls this for every element.
 */
export function derTlv(tag: number, parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let contentLength = 0;
  for (const part of parts) contentLength += part.length;
  let lengthOctets = 0;
  if (contentLength >= 0x80) for (let n = contentLength; n > 0; n = Math.floor(n / 256)) lengthOctets++;
  const out = new Uint8Array(2 + lengthOctets + contentLength);
  out[0] = tag;
  let offset = 2 + lengthOctets;
  if (lengthOctets === 0) {
    out[1] = contentLength;
  } else {
    out[1] = 0x80 | lengthOctets;
    for (let i = offset - 1, n = contentLength; i >= 2; i--, n = Math.floor(n / 256)) out[i] = n % 256;
  }
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const DER_SEQUENCE = 0x30;
export const DER_BIT_STRING = 0x03;
export const DER_INTEGER = 0x02;

/** BIT STRING with no unused bits (signatures, keys). */
export function derBitString(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return derTlv(DER_BIT_STRING, [Uint8Array.of(0), bytes]);
}

/** INTEGER from unsigned big-endian bytes: leading zeros stripped, 00 added when the top bit is set. */
export function derUnsignedInteger(unsigned: Uint8Array): Uint8Array<ArrayBuffer> {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  if (trimmed.length === 0) return Uint8Array.of(DER_INTEGER, 1, 0);
  return trimmed[0]! & 0x80
    ? derTlv(DER_INTEGER, [Uint8Array.of(0), trimmed])
    : derTlv(DER_INTEGER, [trimmed]);
}

export const DER_OCTET_STRING = 0x04;
export const DER_BOOLEAN_TRUE = Uint8Array.of(0x01, 0x01, 0xff);

const oidCache = new Map<string, Uint8Array<ArrayBuffer>>();

/** OBJECT IDENTIFIER TLV for a dotted OID (X.690 8.19), memoized: the same few OIDs recur. */
export function derOid(dotted: string): Uint8Array<ArrayBuffer> {
  let encoded = oidCache.get(dotted);
  if (encoded) return encoded;
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0) || arcs[0]! > 2)
    throw new RangeError(`invalid OID ${dotted}`);
  const octets: number[] = [];
  const push = (value: number) => {
    const groups = [value % 128];
    for (let n = Math.floor(value / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n % 128) | 0x80);
    octets.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  encoded = derTlv(0x06, [Uint8Array.from(octets)]);
  oidCache.set(dotted, encoded);
  return encoded;
}

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (omitted when false), extnValue OCTET STRING }. */
export function derExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array<ArrayBuffer> {
  return derTlv(
    DER_SEQUENCE,
    critical
      ? [derOid(oid), DER_BOOLEAN_TRUE, derTlv(DER_OCTET_STRING, [value])]
      : [derOid(oid), derTlv(DER_OCTET_STRING, [value])],
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, always Z. */
export function derTime(date: Date): Uint8Array<ArrayBuffer> {
  const year = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  const text = year < 2050 ? `${pad(year % 100)}${rest}` : `${pad(year, 4)}${rest}`;
  return derTlv(year < 2050 ? 0x17 : 0x18, [Buffer.from(text, 'latin1')]);
}
