import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { AccessLogController, type AccessLogMode } from './access-log.controller';

/** The lines each mode writes for a 200, a 404 and a 500 with an error, and a health scrape. */
function linesFor(mode: AccessLogMode): { msg: string; status: number }[] {
  const lines: { msg: string; status: number }[] = [];
  const sink = {
    write: (line: string) => {
      const parsed = JSON.parse(line) as { msg: string; res: { statusCode: number } };
      lines.push({ msg: parsed.msg, status: parsed.res.statusCode });
    },
  };
  const log = pino({ level: 'info' }, sink);
  const controller = new AccessLogController(log, mode);
  const call = (url: string, statusCode: number, error: Error | null = null) =>
    controller.requestCompleted(
      error,
      { id: 'r1', method: 'GET', url, log } as unknown as FastifyRequest,
      { statusCode, elapsedTime: 1.5 } as unknown as FastifyReply,
    );
  call('/api/v1/projects/p/environments/e/secrets/app/db', 200);
  call('/api/v1/nothing', 404);
  call('/api/v1/boom', 500, new Error('boom'));
  call('/api/v1/health', 200);
  return lines;
}

describe('AccessLogController', () => {
  it('logs every request but scrapes by default', () => {
    expect(linesFor('all')).toEqual([
      { msg: 'request completed', status: 200 },
      { msg: 'request completed', status: 404 },
      { msg: 'request errored', status: 500 },
    ]);
  });

  it('logs only failures with ACCESS_LOG=errors, and nothing with off', () => {
    expect(linesFor('errors')).toEqual([
      { msg: 'request completed', status: 404 },
      { msg: 'request errored', status: 500 },
    ]);
    expect(linesFor('off')).toEqual([]);
  });
});
