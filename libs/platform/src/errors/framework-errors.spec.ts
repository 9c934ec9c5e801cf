import { codeForStatus, frameworkProblem } from './framework-errors';

describe('frameworkProblem', () => {
  it.each([
    ['FST_ERR_BAD_URL', 400, 'invalid_url'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'uri_too_long'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'invalid_content_length'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalid_json'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid_json'],
  ])('%s is %i %s', (code, status, problemCode) => {
    expect(frameworkProblem(Object.assign(new Error('x'), { code, statusCode: status }))).toMatchObject({
      status,
      code: problemCode,
    });
  });

  it('maps a JSON SyntaxError from any realm by name, and other 4xx by status', () => {
    const syntax = Object.assign(new Error('Unexpected end'), { name: 'SyntaxError', statusCode: 400 });
    expect(frameworkProblem(syntax)).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(frameworkProblem(Object.assign(new Error('gone'), { statusCode: 410 }))).toMatchObject({
      status: 410,
      code: 'http_410',
    });
  });

  it('leaves 5xx and plain errors to the caller (an opaque internal error)', () => {
    expect(frameworkProblem(new Error('boom'))).toBeUndefined();
    expect(frameworkProblem(Object.assign(new Error('boom'), { statusCode: 500 }))).toBeUndefined();
    expect(frameworkProblem(undefined)).toBeUndefined();
    expect(codeForStatus(405)).toBe('method_not_allowed');
  });
});
