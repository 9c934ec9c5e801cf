import { canonicalJson, chainHash, GENESIS_HASH } from './hash-chain';

describe('hash chain', () => {
  it('is independent of key order but not of values', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
    expect(chainHash(GENESIS_HASH, { a: 1, b: 2 })).toBe(chainHash(GENESIS_HASH, { b: 2, a: 1 }));
    expect(chainHash(GENESIS_HASH, { a: 1 })).not.toBe(chainHash(GENESIS_HASH, { a: 2 }));
  });

  it('links each record to the previous hash', () => {
    const first = chainHash(GENESIS_HASH, { n: 1 });
    expect(chainHash(first, { n: 2 })).not.toBe(chainHash(GENESIS_HASH, { n: 2 }));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });
});
