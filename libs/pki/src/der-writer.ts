// Minimal DER writer for splicing structures from bytes already in hand (X.690 8.1: identifier, definite
// length in the minimal form, contents). Used where building asn1js objects only to serialize them again
// would dominate the cost (certificate assembly on the issuance path).

/** X.690 8.1.3: short form below 128, otherwise the minimal number of length octets. */
export function derLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid DER length ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** One TLV whose contents are `parts` concatenated (single-octet tags only: all we need here). */
export function derTlv(tag: number, parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let contentLength = 0;
  for (const part of parts) contentLength += part.length;
  return concatBytes([Uint8Array.of(tag), derLength(contentLength), ...parts]);
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
  return trimmed[0]! & 0x80 ? derTlv(DER_INTEGER, [Uint8Array.of(0), trimmed]) : derTlv(DER_INTEGER, [trimmed]);
}
