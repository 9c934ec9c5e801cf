// Bare node:http server: the floor under every framework. Later benches (OCSP responder, gateway secret
// reads, issuance) compare against this to show how much of their cost is framework vs. their own work.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceListening, requestedPort } from './protocol';

// Same small JSON body as bare-server.ts, so the two baselines are comparable.
const BODY = Buffer.from('{"ok":true}');

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
  res.end(BODY);
});

server.listen(requestedPort(), '127.0.0.1', () => {
  announceListening((server.address() as AddressInfo).port);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
