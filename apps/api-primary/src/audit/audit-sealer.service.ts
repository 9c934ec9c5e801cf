import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import {
  type AuditCheckpoint,
  AuditKeys,
  type ChainVerification,
  sealAuditBatch,
  verifyStoredChain,
} from '@mazevault/audit';
import { PeriodicJob } from '@mazevault/platform';

const BATCH = 500;

/**
 * Seals the audit events that were inserted unsealed — those written inside a business transaction,
 * whose commit order is only known afterwards — into the hash chain, in batches, off the request
 * path. (Events written on their own are sealed as they are inserted, see AuditService.)
 */
@Injectable()
export class AuditSealerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealerService.name);
  private readonly sealing = new PeriodicJob(
    () => this.sealAll(),
    (error) => this.logger.error({ err: error }, 'audit sealing failed'),
  );

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(AuditKeys) private readonly keys: AuditKeys,
  ) {}

  onApplicationBootstrap(): void {
    this.sealing.start(this.config.AUDIT_SEAL_INTERVAL_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sealing.stop();
  }

  /** Seals everything inserted so far; returns how many rows it sealed. */
  sealPending(): Promise<number> {
    return this.sealing.run();
  }

  private async sealAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await sealAuditBatch(this.dataSource, this.keys, BATCH);
      total += sealed;
      if (sealed < BATCH) return total;
    }
  }

  /** Verifies every sealed event, the head, and (if given) a checkpoint kept outside the database. */
  verify(checkpoint?: AuditCheckpoint): Promise<ChainVerification> {
    return verifyStoredChain(this.dataSource, this.keys, checkpoint);
  }
}
