import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { describeCertificate, describePublicKey, keyTypeOf } from '@mazevault/pki';
import { PeriodicJob } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { CertificateAuthoritiesService } from './certificate-authorities.service';
import { PKI_CONFIG, type PkiConfig } from './pki.config';

/** pg advisory lock id: one renewal pass at a time across every Primary replica. */
const RENEWAL_LOCK = 0x6d766f; // "mvo"

/**
 * Re-issues a CA's delegated OCSP signer before it expires (same key type, a new key), so responders
 * never sign with an expired delegation. OCSP responders notice the new signer on their next refresh.
 */
@Injectable()
export class OcspSignerRenewalService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OcspSignerRenewalService.name);
  private readonly renewal = new PeriodicJob(
    () => this.renewAll(),
    (error) => this.logger.error(`OCSP signer renewal failed: ${(error as Error).message}`),
  );

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PKI_CONFIG) private readonly config: PkiConfig,
    private readonly cas: CertificateAuthoritiesService,
  ) {}

  onModuleInit(): void {
    this.renewal.start(this.config.PKI_OCSP_SIGNER_CHECK_INTERVAL_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.renewal.stop();
  }

  /** Renews every signer due; returns the ids of the CAs whose signer was renewed. */
  renewDue(): Promise<string[]> {
    return this.renewal.run();
  }

  private async renewAll(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RENEWAL_LOCK]);
      if (!locked) return []; // another replica is renewing
      try {
        const due: { id: string; organization_id: string; ocsp_signer_der: Buffer }[] = await runner.query(
          `SELECT id, organization_id, ocsp_signer_der FROM certificate_authorities
            WHERE status = 'active' AND ocsp_signer_der IS NOT NULL
              AND ocsp_signer_not_after < now() + make_interval(secs => $1)`,
          [this.config.PKI_OCSP_SIGNER_RENEW_BEFORE_SECONDS],
        );
        const renewed: string[] = [];
        for (const row of due) {
          try {
            const keyType = keyTypeOf(
              describePublicKey(
                describeCertificate(new Uint8Array(row.ocsp_signer_der)).certificate.subjectPublicKeyInfo,
              ),
            );
            await this.cas.rotateOcspSigner(
              { organizationId: row.organization_id, type: 'system', id: null },
              row.id,
              keyType,
            );
            renewed.push(row.id);
            this.logger.log(`renewed the OCSP signer of CA ${row.id} (${keyType})`);
          } catch (error) {
            // One CA that cannot renew (e.g. itself about to expire) does not hold up the others.
            this.logger.warn(`could not renew the OCSP signer of CA ${row.id}: ${(error as Error).message}`);
          }
        }
        return renewed;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RENEWAL_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }
}
