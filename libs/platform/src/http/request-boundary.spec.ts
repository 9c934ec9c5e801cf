import { hasEscapedControlCharacter, jsonDepthExceeds } from './request-boundary';

describe('hasEscapedControlCharacter', () => {
  it.each(['/a%00', '/a%0a', '/a%1F', '/a%7f', '/x?prefix=%00', '/a%C2%85', '/a%c2%9f'])(
    'finds %s',
    (url) => {
      expect(hasEscapedControlCharacter(url)).toBe(true);
    },
  );
  it.each(['/a/b', '/a%20b', '/a%2Fb', '/a%C3%A9', '/a%C2%A0', '/x?q=%25', '/%E2%82%AC'])(
    'leaves %s',
    (url) => {
      expect(hasEscapedControlCharacter(url)).toBe(false);
    },
  );
});

describe('jsonDepthExceeds', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  it('counts arrays and objects, and stops at the limit', () => {
    expect(jsonDepthExceeds(nested(64), 64)).toBe(false);
    expect(jsonDepthExceeds(nested(65), 64)).toBe(true);
    expect(jsonDepthExceeds('{"a":'.repeat(65) + '1' + '}'.repeat(65), 64)).toBe(true);
    expect(jsonDepthExceeds(nested(3000), 64)).toBe(true);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ v: '['.repeat(500) }), 2)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ v: '\\"[[[[' }), 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify([['"{{{{']]), 2)).toBe(false);
  });
  it('siblings do not add up', () => {
    expect(jsonDepthExceeds(JSON.stringify([[1], [2], [3], { a: [4] }]), 3)).toBe(false);
  });
});
