import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { ProblemException } from './problem.exception';
import { toProblem } from './problem-details.filter';

const request = { id: 'req-1', url: '/api/v1/things?x=1' };

describe('toProblem', () => {
  it('keeps the code and detail of a ProblemException', () => {
    const { body, headers } = toProblem(
      new ProblemException(429, 'too_many_attempts', 'Try later', { headers: { 'retry-after': '60' } }),
      request,
    );
    expect(body).toEqual({
      type: 'https://mazevault.dev/problems/too_many_attempts',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Try later',
      code: 'too_many_attempts',
      instance: '/api/v1/things',
      requestId: 'req-1',
    });
    expect(headers).toEqual({ 'retry-after': '60' });
  });

  it('maps framework exceptions to stable codes', () => {
    expect(toProblem(new ForbiddenException('no binding grants x'), request).body).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: 'no binding grants x',
    });
    expect(toProblem(new BadRequestException(['a', 'b']), request).body.detail).toBe('a; b');
  });

  it('keeps fastify 4xx errors (body too large) as they are', () => {
    const err = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toProblem(err, request).body).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('never leaks an internal message or stack', () => {
    const { body } = toProblem(new Error('connection to 10.0.0.5 failed: password=hunter2'), request);
    expect(body.status).toBe(500);
    expect(body.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toMatch(/hunter2|10\.0\.0\.5|at /);
  });
});
