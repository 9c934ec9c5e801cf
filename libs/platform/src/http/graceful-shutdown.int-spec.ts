import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { createHttpApp } from './http-app.factory';
import { drainAndClose, InFlightRequests } from './graceful-shutdown';

/** What happened on the server, in order: responses sent and the module teardown. */
const events: string[] = [];

/** A promise with its resolve exposed. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * The slow route's request is held until the test releases it, and tells the test when it arrived:
 * the test drives the order of events instead of guessing durations.
 */
let arrived = deferred();
let release = deferred();

/** Lets pending I/O callbacks and promise jobs run (no wall-clock wait). */
async function turnEventLoop(times = 10): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setImmediate(resolve));
}

@Injectable()
class Teardown implements OnModuleDestroy {
  onModuleDestroy(): void {
    events.push('modules destroyed');
  }
}

@Controller('slow')
class SlowController {
  @Get()
  async slow(): Promise<{ ok: boolean }> {
    arrived.resolve();
    await release.promise;
    return { ok: true };
  }
}

@Module({ controllers: [SlowController], providers: [Teardown] })
class SlowModule {}

/** A GET on a fresh keep-alive connection; resolves with the status, or the socket error's code. */
function get(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, agent: false, headers: { connection: 'keep-alive' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

describe('graceful shutdown', () => {
  beforeEach(() => {
    events.splice(0);
    arrived = deferred();
    release = deferred();
  });
  afterEach(() => release.resolve());

  it('lets a request in flight finish before the modules are destroyed, and then refuses new ones', async () => {
    const app = await createHttpApp(SlowModule, {
      title: 'test',
      logger: pino({ level: 'silent' }),
      bufferLogs: false,
    });
    const inFlight = new InFlightRequests(app.getHttpServer());
    app
      .getHttpServer()
      .on(
        'request',
        (
          _request: unknown,
          response: { once(event: 'finish', listener: () => void): void; statusCode: number },
        ) => response.once('finish', () => events.push(`response ${response.statusCode} sent`)),
      );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };

    const slow = get(port, '/api/v1/slow');
    await arrived.promise;
    expect(inFlight.size).toBe(1);
    const closed = drainAndClose(app, inFlight, 30_000);
    await turnEventLoop();
    expect(events).toEqual([]); // still waiting for the request, modules alive
    release.resolve();

    expect(await slow).toBe(200);
    await closed;
    // Nest's own shutdown order would be the reverse: modules destroyed under the request.
    expect(events).toEqual(['response 200 sent', 'modules destroyed']);
    expect(await get(port, '/api/v1/slow')).toBe('ECONNREFUSED');
  });

  it('closes connections still busy when the grace period ends', async () => {
    const app = await createHttpApp(SlowModule, {
      title: 'test',
      logger: pino({ level: 'silent' }),
      bufferLogs: false,
    });
    const inFlight = new InFlightRequests(app.getHttpServer());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };

    const slow = get(port, '/api/v1/slow');
    await arrived.promise;
    // The request is never released: only the end of the grace period can finish the drain.
    await drainAndClose(app, inFlight, 20);
    expect(await slow).toBe('ECONNRESET');
    expect(events).toEqual(['modules destroyed']);
  });
});
