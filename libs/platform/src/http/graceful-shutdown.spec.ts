import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { createHttpApp } from './http-app.factory';
import { drainAndClose, InFlightRequests } from './graceful-shutdown';

/** What happened on the server, in order: responses sent and the module teardown. */
const events: string[] = [];

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
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { ok: true };
  }
}

@Module({ controllers: [SlowController], providers: [Teardown] })
class SlowModule {}

/** A GET on a fresh keep-alive connection; resolves with the status, or the socket error's code. */
function get(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

describe('graceful shutdown', () => {
  beforeEach(() => events.splice(0));

  it('lets a request in flight finish before the modules are destroyed, and then refuses new ones', async () => {
    const app = await createHttpApp(SlowModule, { title: 'test', logger: pino({ level: 'silent' }), bufferLogs: false });
    const inFlight = new InFlightRequests(app.getHttpServer());
    app.getHttpServer().on('request', (_request: unknown, response: { once(event: 'finish', listener: () => void): void; statusCode: number }) =>
      response.once('finish', () => events.push(`response ${response.statusCode} sent`)),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };

    const slow = get(port, '/api/v1/slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inFlight.size).toBe(1);
    const closed = drainAndClose(app, inFlight, 5_000);

    expect(await slow).toBe(200);
    await closed;
    // Nest's own shutdown order would be the reverse: modules destroyed under the request.
    expect(events).toEqual(['response 200 sent', 'modules destroyed']);
    expect(await get(port, '/api/v1/slow')).toBe('ECONNREFUSED');
  });

  it('closes connections still busy when the grace period ends', async () => {
    const app = await createHttpApp(SlowModule, { title: 'test', logger: pino({ level: 'silent' }), bufferLogs: false });
    const inFlight = new InFlightRequests(app.getHttpServer());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };

    const slow = get(port, '/api/v1/slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await drainAndClose(app, inFlight, 20);
    expect(Date.now() - started).toBeLessThan(250);
    expect(await slow).toBe('ECONNRESET');
    expect(events).toEqual(['modules destroyed']);
  });
});
