import { storableJson, storableText } from './audit-text.util';

describe('storable audit text', () => {
  it('writes out NUL and unpaired surrogates, and keeps everything else', () => {
    expect(storableText('a\u0000b')).toBe('a\\u0000b');
    expect(storableText('x\ud800y\udc00z')).toBe('x\\ud800y\\udc00z');
    expect(storableText('ok 😀 é \u0001 \n')).toBe('ok 😀 é \u0001 \n');
  });

  it('cuts to a column length counted in characters, never splitting a pair', () => {
    expect(storableText('abcdef', 4)).toBe('abc…');
    expect(storableText('😀😀😀', 3)).toBe('😀😀😀');
    expect(storableText('😀😀😀😀', 3)).toBe('😀😀…');
    expect(Array.from(storableText('\u0000'.repeat(200), 128))).toHaveLength(128);
  });

  it('makes every key and string of a JSON value storable', () => {
    expect(storableJson({ 'k\u0000': ['v\u0000', 1, null, { deep: '\ud800' }], n: 2, b: true })).toEqual({
      'k\\u0000': ['v\\u0000', 1, null, { deep: '\\ud800' }],
      n: 2,
      b: true,
    });
  });
});
