import {
  bigIntToIntegerBytes,
  checkDerStructure,
  integerBytesToBigInt,
  pemDecode,
  pemEncode,
  readDerOrPem,
} from './der-encoding';

const nested = (depth: number): Uint8Array => {
  let inner = new Uint8Array([0x05, 0x00]);
  for (let i = 0; i < depth; i++) inner = new Uint8Array([0x30, inner.length, ...inner]);
  return inner;
};

describe('DER framing check', () => {
  it('accepts well-formed DER within the nesting bound', () => {
    expect(() => checkDerStructure(nested(10), 16)).not.toThrow();
  });

  it.each<[string, Uint8Array]>([
    ['empty input', new Uint8Array()],
    ['trailing bytes', new Uint8Array([0x05, 0x00, 0x00])],
    ['indefinite length', new Uint8Array([0x30, 0x80, 0x05, 0x00, 0x00, 0x00])],
    ['non-minimal length', new Uint8Array([0x04, 0x81, 0x01, 0xff])],
    ['length past the end', new Uint8Array([0x04, 0x05, 0x01])],
    ['child overruns parent', new Uint8Array([0x30, 0x02, 0x04, 0x05, 0x00])],
    ['nesting too deep', nested(40)],
  ])('refuses %s as malformed_der', (_name, bytes) => {
    expect(() => checkDerStructure(bytes, 16)).toThrow(expect.objectContaining({ code: 'malformed_der' }));
  });

  it('bounds nesting hidden inside OCTET STRINGs too', () => {
    let inner = new Uint8Array([0x05, 0x00]);
    for (let i = 0; i < 40; i++) inner = new Uint8Array([0x04, inner.length, ...inner]);
    expect(() => checkDerStructure(inner.slice(0, 2 + 120), 16)).toThrow(
      expect.objectContaining({ code: 'malformed_der' }),
    );
    expect(() => checkDerStructure(inner, 16)).toThrow(/nesting/);
  });
});

describe('PEM', () => {
  it('round-trips and enforces the label', () => {
    const der = nested(2);
    const pem = pemEncode('X509 CRL', der);
    expect(pemDecode(pem, ['X509 CRL'])).toEqual(der);
    expect(() => pemDecode(pem, ['CERTIFICATE'])).toThrow(expect.objectContaining({ code: 'malformed_pem' }));
  });

  it('checks size before decoding', () => {
    expect(() => readDerOrPem(new Uint8Array(100), { labels: [], maxBytes: 10 })).toThrow(
      expect.objectContaining({ code: 'input_too_large' }),
    );
  });
});

describe('INTEGER helpers', () => {
  it.each([0n, 1n, 127n, 128n, 255n, 256n, 2n ** 127n])('round-trips %s minimally and positively', (n) => {
    const bytes = bigIntToIntegerBytes(n);
    expect(integerBytesToBigInt(bytes)).toBe(n);
    expect(bytes[0]! & 0x80).toBe(0);
    if (bytes.length > 1) expect(bytes[0] === 0 && !(bytes[1]! & 0x80)).toBe(false);
  });
});
