import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { PeriodicJob } from '../scheduling/periodic-job';
import { type ChainVerification, type HashedAuditFields, linkAuditRow } from './audit-chain';
import { lockChainHead, MOVE_CHAIN_HEAD_SQL } from './audit-chain-head';
import type { AuditCheckpoint } from './audit-checkpoint';
import { AuditKeys } from './audit-keys';
import { SELECT_HASHED_COLUMNS, verifyStoredChain } from './audit-verification';

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
      const sealed = await this.sealBatch();
      total += sealed;
      if (sealed < BATCH) return total;
    }
  }

  private async sealBatch(): Promise<number> {
    const key = await this.keys.active();
    return this.dataSource.transaction(async (manager) => {
      let { tip: previous } = await lockChainHead(manager);
      const pending: HashedAuditFields[] = await manager.query(
        `SELECT ${SELECT_HASHED_COLUMNS} FROM audit_events WHERE hash IS NULL ORDER BY id LIMIT $1`,
        [BATCH],
      );
      if (pending.length === 0) return 0;
      const seals: { id: string; key_id: string; prev_hash: string; hash: string }[] = [];
      for (const row of pending) {
        const hash = linkAuditRow(previous, { ...row, keyId: key.id }, key.key);
        seals.push({ id: row.id, key_id: key.id, prev_hash: previous, hash });
        previous = hash;
      }
      // One set-based statement per batch, its rows as one JSON parameter.
      await manager.query(
        `UPDATE audit_events a SET key_id = v.key_id, prev_hash = v.prev_hash, hash = v.hash
           FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, key_id text, prev_hash text, hash text)
          WHERE a.id = v.id`,
        [JSON.stringify(seals)],
      );
      await manager.query(MOVE_CHAIN_HEAD_SQL, [previous]);
      return pending.length;
    });
  }

  /** Verifies every sealed event, the head, and (if given) a checkpoint kept outside the database. */
  verify(checkpoint?: AuditCheckpoint): Promise<ChainVerification> {
    return verifyStoredChain(this.dataSource, this.keys, checkpoint);
  }
}
