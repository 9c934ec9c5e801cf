import { pino } from 'pino';
import { Writable } from 'node:stream';
import { LazyRequestLogger } from './lazy-request-logger';
import { REDACT_PATHS } from './logger.options';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const parent = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, stream);
  return { lines, parent };
}

describe('LazyRequestLogger', () => {
  it('creates no child until a line at an enabled level is written', () => {
    const { lines, parent } = capture();
    const child = jest.spyOn(parent, 'child');
    const logger = new LazyRequestLogger(parent, { reqId: 'r-1' }, {});
    logger.debug('below the level');
    logger.trace({ a: 1 }, 'below the level');
    expect(child).not.toHaveBeenCalled();
    expect(logger.level).toBe('info');
    logger.error({ password: 'hunter2' }, 'failed');
    logger.warn('again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'r-1', password: '[REDACTED]', msg: 'failed', level: 50 }),
      expect.objectContaining({ reqId: 'r-1', msg: 'again', level: 40 }),
    ]);
  });

  it('honours a per-route level and a level set later', () => {
    const { lines, parent } = capture();
    const logger = new LazyRequestLogger(parent, { reqId: 'r-2' }, { level: 'error' });
    logger.warn('dropped');
    expect(lines).toHaveLength(0);
    logger.level = 'debug';
    logger.debug('kept');
    expect(lines).toEqual([expect.objectContaining({ reqId: 'r-2', msg: 'kept' })]);
  });
});
