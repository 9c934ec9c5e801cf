// Baseline for bench/ocsp: bare node:http (same module, same defaults as bench/harness/bare-node-server.ts)
// loaded with the very request the responder gets (nonce-less POST application/ocsp-request), reading the
// body as any POST handler must, and answering a constant body of the same bytes (and so the same size) as
// the responder's answer — the floor under an OCSP responder on node:http. Body: OCSP_BENCH_BODY_FILE.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { announceListening, requestedPort } from '../harness/protocol';

const BODY = readFileSync(process.env.OCSP_BENCH_BODY_FILE!);
const HEADERS = { 'content-type': 'application/ocsp-response', 'content-length': BODY.length };

const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk: Buffer) => (size += chunk.length));
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});

server.listen(requestedPort(), '127.0.0.1', () => {
  announceListening((server.address() as AddressInfo).port);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
