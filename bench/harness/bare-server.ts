// Bare Fastify server: one route, fixed body, no plugins, no logger. It measures what this box + Node +
// Fastify can do at all, so a real bench (which starts the same way) can report its overhead against it.
import Fastify from 'fastify';
import { announceListening, requestedPort } from './protocol';

// Same small JSON body as bare-node-server.ts, so the two baselines are comparable.
const BODY = '{"ok":true}';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/', (_req, reply) => {
    reply.header('content-type', 'application/json').send(BODY);
  });
  await app.listen({ port: requestedPort(), host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('unexpected listen address');
  announceListening(address.port);
  // Close cleanly on SIGTERM (what ServerProcess.stop() sends) instead of dying mid-response.
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
