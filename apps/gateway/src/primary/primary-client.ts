import { ProblemException } from '@mazevault/platform';
import { createHash } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import type { GatewayIdentity } from '../identity/gateway-identity.store';
import type { PrimaryCircuit } from './primary-circuit';

/** What the gateway presents and trusts on the Primary's listener. */
export interface PrimaryTls {
  /** The platform CA (pinned): the only issuer trusted for the Primary's server certificate. */
  ca: string;
  /** The gateway's client certificate and key; absent only for registration. */
  cert?: string;
  key?: string;
}

export interface PrimaryAnswer<T> {
  status: number;
  body: T;
}

/** A JSON call to the Primary over HTTPS, verifying its certificate against the pinned CA only. */
export function callPrimary<T>(
  baseUrl: string,
  path: string,
  body: unknown,
  tls: PrimaryTls,
  timeoutMs: number,
): Promise<PrimaryAnswer<T>> {
  const url = new URL(path, baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca: [tls.ca],
        ...(tls.cert && tls.key && { cert: tls.cert, key: tls.key }),
        rejectUnauthorized: true,
        agent: false,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
          } catch {
            reject(new Error(`the Primary answered ${res.statusCode} with a body that is not JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from the Primary within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The gateway's connection to the Primary after enrollment: every call uses the identity it holds
 * now (renewal swaps it in place), verifies the Primary against the pinned platform CA and presents
 * the gateway's client certificate. The one place that speaks to the Primary's listener, so the
 * breaker, E2EE sealing and metrics wrap every call alike.
 */
export class PrimaryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private current: GatewayIdentity,
    /** Every call goes through it: an unreachable Primary fails fast instead of piling up timeouts. */
    readonly circuit: PrimaryCircuit,
  ) {}

  get identity(): GatewayIdentity {
    return this.current;
  }

  /** After a renewal: later calls present the new certificate. */
  useIdentity(identity: GatewayIdentity): void {
    this.current = identity;
  }

  /** `timeoutMs` lengthens the bound for a call the Primary holds on purpose (a long poll). */
  post<T>(path: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<PrimaryAnswer<T>> {
    return this.circuit.execute(() => {
      const { platformCaPem, certificatePem, privateKeyPem } = this.current;
      return callPrimary<T>(
        this.baseUrl,
        path,
        body,
        { ca: platformCaPem, cert: certificatePem, key: privateKeyPem },
        options.timeoutMs ?? this.timeoutMs,
      );
    });
  }
}

/**
 * The platform CA certificate the Primary's listener presents in its chain, accepted only if its
 * SHA-256 equals `fingerprint` (from the bootstrap token). This handshake trusts nothing by itself:
 * it only finds the candidate; every later call verifies the server against it (callPrimary).
 */
export function fetchPinnedCa(baseUrl: string, fingerprint: string, timeoutMs: number): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      ...(url.hostname.match(/^[\d.]+$|:/) ? {} : { servername: url.hostname }),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      let found: Buffer | undefined;
      while (certificate?.raw && !seen.has(certificate.fingerprint256)) {
        seen.add(certificate.fingerprint256);
        if (createHash('sha256').update(certificate.raw).digest('hex') === fingerprint)
          found = certificate.raw;
        certificate = certificate.issuerCertificate;
      }
      socket.end();
      if (!found)
        reject(
          new ProblemException(
            502,
            'primary_ca_mismatch',
            "The Primary's listener does not present the platform CA named by the bootstrap token",
          ),
        );
      else
        resolve(
          `-----BEGIN CERTIFICATE-----\n${found
            .toString('base64')
            .match(/.{1,64}/g)!
            .join('\n')}\n-----END CERTIFICATE-----\n`,
        );
    });
    socket.once('timeout', () =>
      socket.destroy(new Error(`no TLS handshake with the Primary within ${timeoutMs} ms`)),
    );
    socket.once('error', reject);
  });
}
