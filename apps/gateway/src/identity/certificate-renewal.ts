import type { GatewayRenewCertificateResponse } from '@mazevault/contracts';
import {
  createCsr,
  describeCertificate,
  exportPkcs8,
  generateKeyPair,
  renewalDueAt,
  signerFromPkcs8,
} from '@mazevault/pki';
import type { Logger } from 'pino';
import type { PrimaryClient } from '../primary/primary-client';
import { type GatewayIdentityStore, toPem } from './gateway-identity.store';

/** setTimeout cannot wait longer than 2^31-1 ms (~24.8 days): longer waits wake up and wait again. */
const MAX_WAIT_MS = 24 * 3600 * 1000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60 * 1000;

/**
 * Renews the gateway's client certificate over mTLS at 2/3 of its lifetime (notBefore → notAfter):
 * a new key, a CSR, `POST /api/v1/gateway/certificate/renew`. The new identity goes into use at once
 * (the Primary refuses the old certificate from its commit on), then is stored sealed. A failure is
 * retried with exponential backoff (1 s doubling to 5 min, never past expiry); an expired
 * certificate cannot renew itself, which is said once, with what to do.
 */
export class CertificateRenewal {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly primary: PrimaryClient,
    private readonly store: GatewayIdentityStore,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.scheduleAt(this.dueAt());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One renewal now (the timer's work; also callable on demand). */
  async renew(): Promise<void> {
    const current = this.primary.identity;
    const pair = await generateKeyPair('ecdsa-p256');
    const pkcs8 = new Uint8Array(await exportPkcs8(pair.privateKey));
    try {
      const csr = await createCsr({ signer: await signerFromPkcs8(pkcs8), subject: {} });
      const answer = await this.primary.post<GatewayRenewCertificateResponse & { code?: string }>(
        '/api/v1/gateway/certificate/renew',
        { csr: csr.pem },
      );
      if (answer.status !== 200)
        throw new Error(`renewal refused: ${answer.status} ${answer.body?.code ?? ''}`);
      const renewed = {
        ...current,
        certificatePem: answer.body.certificatePem,
        notAfter: new Date(answer.body.notAfter),
      };
      this.primary.useIdentity({ ...renewed, privateKeyPem: toPem(pkcs8) });
      const { privateKeyPem: _inMemoryOnly, ...stored } = renewed;
      await this.store.save(stored, pkcs8);
      this.logger.info(
        { gatewayId: current.gatewayId },
        `gateway certificate renewed; it expires at ${renewed.notAfter.toISOString()}`,
      );
    } finally {
      pkcs8.fill(0);
    }
  }

  private dueAt(): number {
    return renewalDueAt(describeCertificate(this.primary.identity.certificatePem)).getTime();
  }

  private scheduleAt(at: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const wait = Math.min(Math.max(at - Date.now(), 0), MAX_WAIT_MS);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = undefined));
    }, wait);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const due = this.dueAt();
    if (Date.now() < due) return this.scheduleAt(due); // woke from a capped wait
    const { notAfter, gatewayId } = this.primary.identity;
    if (Date.now() >= notAfter.getTime()) {
      this.logger.error(
        `gateway certificate expired at ${notAfter.toISOString()}; set GATEWAY_BOOTSTRAP_TOKEN from POST /api/v1/gateways/${gatewayId}/bootstrap to re-enroll`,
      );
      return;
    }
    try {
      await this.renew();
      this.failures = 0;
      this.scheduleAt(this.dueAt());
    } catch (error) {
      this.failures += 1;
      const at = retryAt(this.failures, Date.now(), notAfter);
      this.logger.warn(
        { consecutiveFailures: this.failures, retryInMs: at - Date.now() },
        `certificate renewal failed: ${(error as Error).message}`,
      );
      this.scheduleAt(at);
    }
  }
}

/** After `failures` failed renewals: 1 s doubling to 5 min, and never past expiry (the last try just before). */
export function retryAt(failures: number, now: number, notAfter: Date): number {
  const backoff = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
  return Math.max(now, Math.min(now + backoff, notAfter.getTime() - 1000));
}
