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
  AuditExportSink,
  AuditKeys,
  readChainState,
  signCheckpoint,
} from '@mazevault/audit';
import { PeriodicJob } from '@mazevault/platform';

export interface AuditClock {
  now(): Date;
}
export const AUDIT_CLOCK = Symbol('AUDIT_CLOCK');

/**
 * Writes a signed checkpoint of the audit chain (head, links up to it, the row holding it, time) on
 * a schedule, to the log as a structured line and to the audit export, so a copy of the chain's
 * state lives outside the database: `audit:verify --checkpoint` then catches rows cut from the end
 * even when the head was moved back to match.
 */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoint');
  private readonly job = new PeriodicJob(
    () => this.write(),
    (error) => this.logger.error({ err: error }, 'audit checkpoint failed'),
  );
  private readonly sink: AuditExportSink | undefined;
  private last: AuditCheckpoint | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(AuditKeys) private readonly keys: AuditKeys,
    @Inject(AUDIT_CLOCK) private readonly clock: AuditClock,
  ) {
    this.sink = config.AUDIT_EXPORT_PATH ? new AuditExportSink(config.AUDIT_EXPORT_PATH) : undefined;
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.AUDIT_CHECKPOINT_INTERVAL_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** Writes a checkpoint now (also what the schedule runs). */
  checkpoint(): Promise<AuditCheckpoint> {
    return this.job.run();
  }

  private async write(): Promise<AuditCheckpoint> {
    const state = await readChainState(this.dataSource);
    const checkpoint = signCheckpoint(
      { ...state, at: this.clock.now().toISOString() },
      await this.keys.activeCheckpointKey(),
    );
    if (this.last && checkpoint.count < this.last.count) {
      // The chain only grows: fewer links than this process saw before means rows were removed.
      this.logger.error(
        { previous: this.last, current: checkpoint },
        'audit chain shrank since the previous checkpoint',
      );
    }
    this.logger.log({ auditCheckpoint: checkpoint }, 'audit checkpoint');
    await this.sink?.append({ type: 'audit.checkpoint', checkpoint });
    this.last = checkpoint;
    return checkpoint;
  }
}
