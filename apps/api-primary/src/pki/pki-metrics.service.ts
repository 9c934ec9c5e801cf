import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock, METRICS_REGISTRY } from '@mazevault/platform';
import { Gauge, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * `mazevault_pki_certificate_days_until_expiry{class}`: the soonest expiry among valid certificates of
 * each class (profile name; `ca:root`, `ca:intermediate`, `ocsp-signer` for the CA side, whose
 * inventory rows are counted there, not as `(no profile)`), computed
 * from the database at scrape time so every Primary replica reports the same truth.
 */
@Injectable()
export class PkiMetricsService implements OnModuleInit {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    if (this.registry.getSingleMetric('mazevault_pki_certificate_days_until_expiry')) return;
    const dataSource = this.dataSource;
    const clock = this.clock;
    new Gauge({
      name: 'mazevault_pki_certificate_days_until_expiry',
      help: 'Days until the soonest expiry among unrevoked, unexpired certificates, per certificate class',
      labelNames: ['class'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows: { class: string; not_after: Date }[] = await dataSource.query(
          `SELECT COALESCE(p.name, '(no profile)') AS class, MIN(c.not_after) AS not_after
             FROM certificates c LEFT JOIN certificate_profiles p ON p.id = c.profile_id
            WHERE c.status = 'good' AND c.not_after > now() AND c.subject_ca_id IS NULL GROUP BY 1
           UNION ALL
           SELECT 'ca:' || kind, MIN(not_after) FROM certificate_authorities WHERE status = 'active' AND not_after IS NOT NULL GROUP BY kind
           UNION ALL
           SELECT 'ocsp-signer', MIN(ocsp_signer_not_after) FROM certificate_authorities WHERE ocsp_signer_not_after IS NOT NULL HAVING COUNT(*) > 0`,
        );
        const now = clock.now().getTime();
        for (const row of rows)
          this.set(
            { class: row.class },
            Math.round(((new Date(row.not_after).getTime() - now) / 86_400_000) * 100) / 100,
          );
      },
    });
  }
}
