import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM material of a throw-away CA and one server certificate it signed. */
export interface TestTlsMaterial {
  /** The CA certificate: what clients must trust (e.g. SecretClient `tlsOptions.ca`). */
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface TestCertificateOptions {
  /** SANs of the server certificate; defaults to localhost and 127.0.0.1 / ::1. */
  dnsNames?: string[];
  ipAddresses?: string[];
}

let cached: TestTlsMaterial | undefined;

/**
 * Generates a test CA and a server certificate with the `openssl` CLI (EC P-256, valid one day).
 *
 * A real chain (CA -> leaf), rather than a self-signed leaf, so clients are tested the way production
 * trusts a private PKI: the CA is passed as a trust anchor, TLS verification stays on. The default
 * material is cached per process because generation costs ~100 ms and every test server can share it.
 */
export function createTestTlsMaterial(options: TestCertificateOptions = {}): TestTlsMaterial {
  const useDefaults = !options.dnsNames && !options.ipAddresses;
  if (useDefaults && cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'mv-test-ca-'));
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=MazeVault Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    const sans = [
      ...(options.dnsNames ?? ['localhost']).map((n) => `DNS:${n}`),
      ...(options.ipAddresses ?? ['127.0.0.1', '::1']).map((ip) => `IP:${ip}`),
    ];
    writeFileSync(
      join(dir, 'server.ext'),
      [
        `subjectAltName=${sans.join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
      ].join('\n'),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      '0x' + randomBytes(8).toString('hex'),
      '-days',
      '1',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    );
    const material = {
      caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      certPem: readFileSync(join(dir, 'server.crt'), 'utf8'),
      keyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    };
    if (useDefaults) cached = material;
    return material;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
