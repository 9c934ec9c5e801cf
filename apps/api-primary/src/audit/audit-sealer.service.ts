import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditEventEntity } from '@mazevault/persistence';
import { DataSource, IsNull, Not } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { PeriodicJob } from '../scheduling/periodic-job';
import { type ChainVerification, type HashedAuditFields, hashAuditRow, verifyAuditChain } from './audit-chain';
import { lockChainHead, MOVE_CHAIN_HEAD_SQL } from './audit-chain-head';

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

  private sealBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      let { tip: previous } = await lockChainHead(manager);
      // Plain rows, only the hashed columns: entity hydration would cost more than the hashing.
      const pending: HashedAuditFields[] = await manager.query(
        `SELECT id::text AS id, occurred_at AS "occurredAt", organization_id AS "organizationId", actor_type AS "actorType",
                actor_id AS "actorId", action, resource_type AS "resourceType", resource_ref AS "resourceRef", outcome,
                request_id AS "requestId", details
           FROM audit_events WHERE hash IS NULL ORDER BY id LIMIT $1`,
        [BATCH],
      );
      if (pending.length === 0) return 0;
      const seals: { id: string; prev_hash: string; hash: string }[] = [];
      for (const row of pending) {
        const hash = hashAuditRow(previous, row);
        seals.push({ id: row.id, prev_hash: previous, hash });
        previous = hash;
      }
      // One set-based statement per batch, its rows as one JSON parameter.
      await manager.query(
        `UPDATE audit_events a SET prev_hash = v.prev_hash, hash = v.hash
           FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, prev_hash text, hash text)
          WHERE a.id = v.id`,
        [JSON.stringify(seals)],
      );
      await manager.query(MOVE_CHAIN_HEAD_SQL, [previous]);
      return pending.length;
    });
  }

  async verify(): Promise<ChainVerification> {
    const rows = await this.dataSource.getRepository(AuditEventEntity).find({ where: { hash: Not(IsNull()) }, order: { id: 'ASC' } });
    return verifyAuditChain(rows);
  }
}
