import * as asn1js from 'asn1js';
import { PkiError } from './pki-error';

/** Binary inputs accepted across the API. */
export type BinaryInput = ArrayBuffer | Uint8Array;
/** A certificate / CSR / CRL given either as PEM text or as DER bytes. */
export type PemOrDer = string | BinaryInput;

export function toBytes(input: BinaryInput): Uint8Array<ArrayBuffer> {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  // Copy: the caller may hand us a view on a pooled / shared buffer.
  return new Uint8Array(input);
}

/** An ArrayBuffer holding exactly `bytes` (asn1js and pkijs want ArrayBuffers, not views). */
export function toArrayBuffer(bytes: BinaryInput): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  return bytes.slice().buffer as ArrayBuffer;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function bytesToHex(bytes: BinaryInput): string {
  return Buffer.from(toBytes(bytes)).toString('hex');
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const clean = hex.replace(/[:\s]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new PkiError('invalid_argument', `not a hex string: ${hex}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

// ---------------------------------------------------------------------------------------------
// INTEGER helpers (X.690 8.3: two's complement, minimal length)

/** Minimal DER INTEGER content for a non-negative bigint. */
export function bigIntToIntegerBytes(value: bigint): Uint8Array<ArrayBuffer> {
  if (value < 0n) throw new PkiError('invalid_argument', 'negative integers are not used here');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`; // keep it positive
  return hexToBytes(hex);
}

export function integerBytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${bytesToHex(bytes)}`);
  return bytes[0]! & 0x80 ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
}

/** Serial numbers travel as lower-case hex of the INTEGER content without a leading 00 pad. */
export function integerHex(integer: asn1js.Integer): string {
  const bytes = new Uint8Array(integer.valueBlock.valueHexView);
  const start = bytes.length > 1 && bytes[0] === 0 ? 1 : 0;
  return bytesToHex(bytes.subarray(start));
}

export function integerFromHex(serialHex: string): asn1js.Integer {
  return new asn1js.Integer({
    valueHex: toArrayBuffer(bigIntToIntegerBytes(BigInt(`0x${serialHex.replace(/[:\s]/g, '') || '0'}`))),
  });
}

// ---------------------------------------------------------------------------------------------
// PEM (RFC 7468)

export function pemEncode(label: string, der: BinaryInput): string {
  const b64 = Buffer.from(toBytes(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Decode the single PEM block in `text` whose label is one of `labels` (strict base64). Text with more
 * than one block is refused: silently keeping the first would certify / import something other than
 * what the caller may believe they sent (a chain is split into blocks by its reader first).
 */
export function pemDecode(text: string, labels: readonly string[]): Uint8Array<ArrayBuffer> {
  if ((text.match(/-----BEGIN /g) ?? []).length > 1)
    throw new PkiError('malformed_pem', 'expected exactly one PEM block, found several');
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!match) throw new PkiError('malformed_pem', 'no PEM block found');
  const [, label, body] = match as unknown as [string, string, string];
  if (!labels.includes(label)) {
    throw new PkiError('malformed_pem', `unexpected PEM label "${label}" (expected ${labels.join(' or ')})`);
  }
  const b64 = body.replace(/\s+/g, '');
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new PkiError('malformed_pem', 'PEM body is not valid base64');
  }
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export interface ReadOptions {
  /** PEM labels accepted when the input is text. */
  labels: readonly string[];
  /** Upper bound on the DER size; larger inputs are refused before any parsing. */
  maxBytes: number;
  maxDepth?: number;
}

/**
 * PEM text or DER bytes → validated DER bytes. Size is checked first (cheap), then the TLV structure
 * (strict DER framing, bounded nesting) so that the ASN.1 parsers only ever see well-framed input.
 */
export function readDerOrPem(input: PemOrDer, options: ReadOptions): Uint8Array<ArrayBuffer> {
  if (typeof input === 'string') {
    // base64 is 4/3 of the DER plus headers and line breaks: bound the text before decoding it.
    if (input.length > options.maxBytes * 2 + 256)
      throw new PkiError('input_too_large', `input exceeds ${options.maxBytes} bytes`);
    input = pemDecode(input, options.labels);
  }
  const bytes = toBytes(input);
  if (bytes.length > options.maxBytes)
    throw new PkiError('input_too_large', `input exceeds ${options.maxBytes} bytes`);
  checkDerStructure(bytes, options.maxDepth);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// DER framing check

export const DEFAULT_MAX_DEPTH = 32;

type ScanError = { kind: 'structure' | 'depth'; message: string };

/**
 * Walks the TLV tree without building objects and throws `malformed_der` unless the input is exactly
 * one DER element with definite, minimal lengths and nesting ≤ maxDepth. OCTET STRING and BIT STRING
 * contents that themselves look like DER (extension values, keys) are walked too, because asn1js
 * opportunistically decodes them and would otherwise recurse without bound on hostile input.
 */
export function checkDerStructure(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): void {
  if (bytes.length === 0) throw new PkiError('malformed_der', 'empty input');
  const error = scan(bytes, 0, bytes.length, 0, maxDepth, true);
  if (error) throw new PkiError('malformed_der', error.message);
}

function scan(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  maxDepth: number,
  single: boolean,
): ScanError | null {
  if (depth > maxDepth) return { kind: 'depth', message: `ASN.1 nesting deeper than ${maxDepth}` };
  let pos = start;
  let count = 0;
  while (pos < end) {
    if (single && count === 1)
      return { kind: 'structure', message: `trailing data after the DER element (offset ${pos})` };
    const error = readHeader(bytes, pos, end);
    if (error) return error;
    const { tag, constructed, contentStart, contentEnd } = header;
    if (constructed) {
      const inner = scan(bytes, contentStart, contentEnd, depth + 1, maxDepth, false);
      if (inner) return inner;
    } else if (tag === 0x04 || tag === 0x03) {
      const offset = tag === 0x03 ? 1 : 0;
      if (contentEnd - contentStart > offset && (tag !== 0x03 || bytes[contentStart] === 0)) {
        const inner = scan(bytes, contentStart + offset, contentEnd, depth + 1, maxDepth, false);
        if (inner?.kind === 'depth') return inner; // opaque bytes that merely fail to parse are fine
      }
    }
    pos = contentEnd;
    count++;
  }
  if (count === 0 && single) return { kind: 'structure', message: 'empty input' };
  return null;
}

// readHeader's result: one reused object (read into locals before recursing), since every
// certificate and CSR on the issuance path is scanned and a fresh object per TLV is pure GC load.
const header = { tag: 0, constructed: false, contentStart: 0, contentEnd: 0 };

function badHeader(message: string, pos: number): ScanError {
  return { kind: 'structure', message: `${message} at offset ${pos}` };
}

function readHeader(bytes: Uint8Array, pos: number, end: number): ScanError | null {
  let p = pos;
  const first = bytes[p++]!;
  if ((first & 0x1f) === 0x1f) {
    // high tag number form: base-128, at most 4 bytes is plenty for every PKIX structure
    let n = 0;
    for (;;) {
      if (p >= end || n++ > 4) return badHeader('bad high tag number', pos);
      if (!(bytes[p++]! & 0x80)) break;
    }
  }
  if (p >= end) return badHeader('truncated length', pos);
  const lengthByte = bytes[p++]!;
  let length: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
  } else if (lengthByte === 0x80) {
    return badHeader('indefinite length (not DER)', pos);
  } else {
    const octets = lengthByte & 0x7f;
    if (octets > 4 || p + octets > end) return badHeader('bad length', pos);
    if (bytes[p] === 0) return badHeader('non-minimal length', pos);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[p++]!;
    if (length < 0x80) return badHeader('non-minimal length', pos);
  }
  if (p + length > end) return badHeader('length beyond end of input', pos);
  header.tag = first;
  header.constructed = (first & 0x20) !== 0;
  header.contentStart = p;
  header.contentEnd = p + length;
  return null;
}

/** Parse DER that has already passed `checkDerStructure` (or is our own output). */
export function parseAsn1(bytes: BinaryInput): asn1js.AsnType {
  const buffer = toArrayBuffer(toBytes(bytes));
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(buffer);
  } catch (error) {
    // asn1js throws plain Errors from some value decoders (a GeneralizedTime body `18 00`).
    throw new PkiError('malformed_der', `ASN.1 decoding failed: ${(error as Error).message}`);
  }
  if (parsed.offset === -1 || parsed.offset !== buffer.byteLength) {
    throw new PkiError('malformed_der', `ASN.1 decoding failed: ${parsed.result.error || 'trailing data'}`);
  }
  return parsed.result;
}

/**
 * Run a pkijs `fromSchema` constructor over validated DER, turning its exceptions ("Object's schema
 * was not verified") into `malformed_der` with the structure name.
 */
export function decodeWith<T>(what: string, bytes: BinaryInput, build: (schema: asn1js.AsnType) => T): T {
  try {
    return build(parseAsn1(bytes));
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('malformed_der', `not a valid ${what}: ${(error as Error).message}`);
  }
}

/**
 * The boundary of a parser entry point: whatever goes wrong inside (an asn1js or pkijs getter that
 * throws a plain Error or TypeError on hostile input) leaves as a `PkiError`, so callers map every
 * refusal to a 4xx by its code and never to an opaque 500.
 */
export function asPkiError<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError(
      'malformed_der',
      `not a valid ${what}: ${error instanceof Error ? error.message : 'undecodable'}`,
    );
  }
}
