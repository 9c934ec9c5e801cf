// autocannon request list for the OCSP bench: one nonce-less DER request (binary, so it cannot travel as
// a JSON string through the harness), read from the file the bench wrote.
import { readFileSync } from 'node:fs';

const body = readFileSync(process.env.OCSP_BENCH_REQUEST_FILE!);
export const requests = [
  { method: 'POST', path: '/', headers: { 'content-type': 'application/ocsp-request' }, body },
];
