import { decodeSecretValue, encodeSecretValue, projectSecretField } from './secret-value.codec';

describe('secret value codec', () => {
  it('stores objects as JSON and strings verbatim', () => {
    expect(encodeSecretValue({ username: 'u', port: 5432 })).toEqual({
      value: '{"username":"u","port":5432}',
      contentType: 'application/json',
    });
    expect(encodeSecretValue('plain')).toEqual({ value: 'plain', contentType: 'text/plain' });
    expect(() => encodeSecretValue([1] as never)).toThrow(TypeError);
  });

  it.each([
    ['{"username":"u"}', 'application/json', undefined, { username: 'u' }],
    ['{"username":"u"}', undefined, undefined, { username: 'u' }],
    ['{"username":"u"}', 'text/plain', undefined, { value: '{"username":"u"}' }],
    ['s3cret', undefined, undefined, { value: 's3cret' }],
    ['[1,2]', 'application/json', undefined, { value: '[1,2]' }],
    ['{not json', undefined, undefined, { value: '{not json' }],
    ['{"username":"u","password":"p"}', 'application/json', 'username', { username: 'u' }],
    ['{"username":"u"}', 'application/json', 'password', { password: null }],
    ['s3cret', 'text/plain', 'username', { username: null }],
  ])('decodes %j (%s) with field %s', (raw, contentType, key, expected) => {
    expect(projectSecretField(decodeSecretValue(raw, contentType), key)).toEqual(expected);
  });
});
