import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { IssuanceWorkerPool } from '@mazevault/pki';
import { METRICS_REGISTRY } from '@mazevault/platform';
import { join } from 'node:path';
import { Counter, Gauge, type Registry } from 'prom-client';
import { PKI_CONFIG, type PkiConfig } from './pki.config';

/** The SWC hook the Primary runs its TypeScript with (Dockerfile, npm scripts); the threads load through it too, under Jest as well. */
const TYPESCRIPT_HOOK = join(__dirname, '..', '..', '..', '..', 'tools', 'register.cjs');

const IN_FLIGHT = 'mazevault_pki_issuance_jobs_in_flight';
const FAILURES = 'mazevault_pki_issuance_thread_failures_total';

/**
 * The Primary's issuance threads (PKI_ISSUANCE_WORKERS), ended with the module. `/metrics` shows the
 * jobs waiting on them and how often one failed (a failed thread's jobs answer 500; the next job
 * starts a new thread).
 */
@Injectable()
export class IssuanceWorkers extends IssuanceWorkerPool implements OnModuleDestroy {
  private static readonly logger = new Logger(IssuanceWorkers.name);

  constructor(@Inject(PKI_CONFIG) config: PkiConfig, @Inject(METRICS_REGISTRY) registry: Registry) {
    const failures =
      (registry.getSingleMetric(FAILURES) as Counter | undefined) ??
      new Counter({
        name: FAILURES,
        help: 'Issuance worker threads that failed or exited unexpectedly',
        registers: [registry],
      });
    super({
      size: config.PKI_ISSUANCE_WORKERS,
      execArgv: ['--require', TYPESCRIPT_HOOK],
      onThreadFailure: (error) => {
        failures.inc();
        IssuanceWorkers.logger.error(
          `${error.message}; its certificates in flight were refused, the next one starts a new thread`,
        );
      },
    });
    // The failure count carries over if the module is built again on the same registry (tests); the
    // gauge must read this pool, so it replaces any earlier one.
    registry.removeSingleMetric(IN_FLIGHT);
    const inFlight = () => this.inFlight;
    new Gauge({
      name: IN_FLIGHT,
      help: 'Certificate issuances handed to worker threads and not answered yet',
      registers: [registry],
      collect() {
        this.set(inFlight());
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
