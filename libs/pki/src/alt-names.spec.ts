import {
  canonicalizeDnsName,
  canonicalizeEmail,
  canonicalizeIp,
  canonicalizeUri,
  ipRangeMatcher,
  isSameOrSubdomain,
} from './alt-names';

describe('DNS canonicalization', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['XN--BCHER-KVA.example', 'xn--bcher-kva.example'],
    ['example\u3002com', 'example.com'], // ideographic full stop (UTS #46 mapping)
  ])('%s → %s', (input, expected) => {
    expect(canonicalizeDnsName(input)).toBe(expected);
  });

  it('keeps wildcards only where allowed and only as the whole left label', () => {
    expect(canonicalizeDnsName('*.Example.com.', { allowWildcard: true })).toBe('*.example.com');
    expect(() => canonicalizeDnsName('*.example.com')).toThrow(
      expect.objectContaining({ code: 'wildcard_not_allowed' }),
    );
    expect(() => canonicalizeDnsName('a.*.example.com', { allowWildcard: true })).toThrow(
      expect.objectContaining({ code: 'invalid_name' }),
    );
    expect(() => canonicalizeDnsName('w*.example.com', { allowWildcard: true })).toThrow(
      expect.objectContaining({ code: 'invalid_name' }),
    );
  });

  it.each([
    '',
    'a..b',
    '-a.com',
    'a_b.com',
    'exa mple.com',
    '127.0.0.1',
    '0x7f.1',
    'a.com..',
    `${'a'.repeat(64)}.com`,
  ])('refuses %j', (input) => {
    expect(() => canonicalizeDnsName(input)).toThrow(expect.objectContaining({ code: 'invalid_name' }));
  });

  it('compares label-wise', () => {
    expect(isSameOrSubdomain('a.example.com', 'example.com')).toBe(true);
    expect(isSameOrSubdomain('badexample.com', 'example.com')).toBe(false);
  });
});

describe('other SAN types', () => {
  it('canonicalizes IPs (RFC 5952 for IPv6) and matches CIDRs', () => {
    expect(canonicalizeIp('2001:DB8:0:0:0:0:0:1')).toEqual({
      text: '2001:db8::1',
      bytes: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1]),
    });
    // IPv4-mapped IPv6 is the IPv4 address (text, 4-octet encoding, range checks)
    expect(canonicalizeIp('::ffff:10.0.0.1')).toEqual({
      text: '10.0.0.1',
      bytes: Uint8Array.of(10, 0, 0, 1),
    });
    expect(canonicalizeIp('::FFFF:a01:101').text).toBe('10.1.1.1');
    expect(ipRangeMatcher(['fd00::/8', '::/0'])(canonicalizeIp('::ffff:10.1.1.1').text)).toBe(false);
    expect(canonicalizeIp('::fffe:10.0.0.1').text).toBe('::fffe:a00:1');
    expect(() => canonicalizeIp('fe80::1%eth0')).toThrow(expect.objectContaining({ code: 'invalid_name' }));
    const inRange = ipRangeMatcher(['10.0.0.0/8']);
    expect(inRange('10.200.0.1')).toBe(true);
    expect(inRange('11.0.0.1')).toBe(false);
  });

  it('canonicalizes email domains and URI hosts but not local parts or paths', () => {
    expect(canonicalizeEmail('Ops@Bücher.Example.')).toBe('Ops@xn--bcher-kva.example');
    expect(canonicalizeUri('SPIFFE://Prod.Example.org/ns/A').uri).toBe('spiffe://prod.example.org/ns/A');
    expect(() => canonicalizeUri('https://user:pw@example.org/')).toThrow(
      expect.objectContaining({ code: 'invalid_name' }),
    );
  });

  it('accepts RFC 8141 URNs (no host) and refuses malformed ones', () => {
    expect(canonicalizeUri('URN:MazeVault:gateway:0f8fad5b-d9cb-469f-a165-70867728950e')).toEqual({
      uri: 'urn:mazevault:gateway:0f8fad5b-d9cb-469f-a165-70867728950e',
      scheme: 'urn',
      host: '',
    });
    expect(() => canonicalizeUri('urn:mazevault')).toThrow(expect.objectContaining({ code: 'invalid_name' }));
    expect(() => canonicalizeUri('urn:-bad:x')).toThrow(expect.objectContaining({ code: 'invalid_name' }));
    expect(() => canonicalizeUri('urn:ok:has space')).toThrow(
      expect.objectContaining({ code: 'invalid_name' }),
    );
  });
});
