import { createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, chainHash, chainMac, GENESIS_HASH } from './hash-chain';

describe('hash chain', () => {
  it('is independent of key order but not of values', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(
      '{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}',
    );
    expect(chainHash(GENESIS_HASH, { a: 1, b: 2 })).toBe(chainHash(GENESIS_HASH, { b: 2, a: 1 }));
    expect(chainHash(GENESIS_HASH, { a: 1 })).not.toBe(chainHash(GENESIS_HASH, { a: 2 }));
  });

  it('writes exactly JSON.stringify of the key-sorted value (sealed chains must still verify)', () => {
    const sortKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortKeys);
      if (value instanceof Date) return value.toISOString();
      if (value && typeof value === 'object') {
        return Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
      }
      return value;
    };
    const samples: unknown[] = [
      null,
      'plain',
      'quote " backslash \\ newline \n tab \t nul \u0000 é 😀',
      0,
      -1.5,
      1e21,
      Number.NaN,
      true,
      [],
      {},
      [1, 'two', null, undefined, [3, { b: 1, a: 2 }]],
      {
        z: undefined,
        y: null,
        x: () => 1,
        '': 'empty key',
        é: 1,
        '10': 'numeric key',
        '2': 'another',
        '02': 'not an index',
        '4294967295': 'not an index either',
      },
      {
        id: '42',
        occurredAt: new Date(Date.UTC(2026, 10, 26, 5, 1, 2, 345)),
        details: { route: '/a', nested: { b: [true, false], a: 'x' } },
      },
    ];
    for (const sample of samples) expect(canonicalJson(sample)).toBe(JSON.stringify(sortKeys(sample)));
  });

  it('links each record to the previous hash', () => {
    const first = chainHash(GENESIS_HASH, { n: 1 });
    expect(chainHash(first, { n: 2 })).not.toBe(chainHash(GENESIS_HASH, { n: 2 }));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keyed links are HMAC-SHA256 over the same input, and depend on the key', () => {
    const key = randomBytes(32);
    const record = { b: 1, a: 'x' };
    expect(chainMac(key, GENESIS_HASH, record)).toBe(
      createHmac('sha256', key).update(`${GENESIS_HASH}\n{"a":"x","b":1}`).digest('hex'),
    );
    expect(chainMac(randomBytes(32), GENESIS_HASH, record)).not.toBe(chainMac(key, GENESIS_HASH, record));
    expect(chainMac(key, GENESIS_HASH, record)).not.toBe(chainHash(GENESIS_HASH, record));
  });
});
