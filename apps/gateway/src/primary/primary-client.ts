import {
  GATEWAY_E2EE_TTL_SECONDS,
  gatewayE2eeAudience,
  gatewayE2eeIssuer,
  GatewaySealedMessageSchema,
  PRIMARY_E2EE_ISSUER,
} from '@mazevault/contracts';
import { E2eeError, openMessage, ReplayGuard, sealMessage } from '@mazevault/crypto';
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
 *
 * End to end: every body is signed with the gateway's E2EE key and encrypted to the Primary's (for
 * this route, as a request); a 2xx answer must be sealed by the Primary to this gateway, for this
 * route as a response, bound to this very request — else the call throws an E2eeError. Error
 * answers (problem+json) come back as they are: they carry codes, not secrets.
 */
export class PrimaryClient {
  private readonly replayGuard = new ReplayGuard();

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
    return this.circuit.execute(() => this.sealedCall<T>(path, body, options.timeoutMs ?? this.timeoutMs));
  }

  /** The body signed and encrypted to the Primary; a 2xx answer opened and checked as the reply to it. */
  private async sealedCall<T>(path: string, body: unknown, timeoutMs: number): Promise<PrimaryAnswer<T>> {
    const identity = this.current;
    const route = new URL(path, this.baseUrl).pathname;
    const request = await sealMessage(body, {
      senderId: gatewayE2eeIssuer(identity.gatewayId),
      signingKey: identity.e2ee.signing.privateJwk,
      recipientEncryptionJwk: identity.primaryE2ee.encryption,
      audience: gatewayE2eeAudience(route, 'request', identity.gatewayId),
      ttlSeconds: GATEWAY_E2EE_TTL_SECONDS,
    });
    const answer = await callPrimary<unknown>(
      this.baseUrl,
      path,
      { jwe: request.jwe },
      { ca: identity.platformCaPem, cert: identity.certificatePem, key: identity.privateKeyPem },
      timeoutMs,
    );
    if (answer.status < 200 || answer.status >= 300) return answer as PrimaryAnswer<T>;
    const sealed = GatewaySealedMessageSchema.safeParse(answer.body);
    if (!sealed.success) throw new E2eeError('e2ee_invalid');
    const message = await openMessage(sealed.data.jwe, {
      decryptionKey: identity.e2ee.encryption.privateJwk,
      senderSigningJwk: identity.primaryE2ee.signing,
      expectedIssuer: PRIMARY_E2EE_ISSUER,
      expectedAudience: gatewayE2eeAudience(route, 'response', identity.gatewayId),
      expectedInReplyTo: request.jti,
      replayGuard: this.replayGuard,
    });
    return { status: answer.status, body: message as T };
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
