// The gateway image's HEALTHCHECK: exit 0 when GET https://127.0.0.1:$PORT/api/v1/health answers 200,
// else 1 (503 = cannot serve, no answer, or no answer within 4 s). The gateway's certificate is not
// verified: it may be self-signed (no TLS_CERT_FILE), and this probe only asks the process in the same
// container whether it serves; it sends nothing secret and trusts nothing it reads.
'use strict';
const https = require('node:https');

const port = Number(process.env.PORT || 8443);
const request = https.get(
  { host: '127.0.0.1', port, path: '/api/v1/health', rejectUnauthorized: false, timeout: 4000 },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
