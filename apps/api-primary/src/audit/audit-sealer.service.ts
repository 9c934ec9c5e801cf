import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GENESIS_HASH } from '@mazevault/crypto';
import { AuditEventEntity } from '@mazevault/persistence';
import { DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { type ChainVerification, type HashedAuditFields, hashAuditRow, verifyAuditChain } from './audit-chain';

/** pg advisory lock id: one sealer at a time across every Primary replica. */
const SEALER_LOCK = 0x6d7661; // "mva"
const BATCH = 500;

/**
 * Seals audit events into the hash chain in batches, off the request path: requests only insert,
 * so they never queue on a chain lock.
 */
@Injectable()
export class AuditSealerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealerService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** The tip this replica sealed last; still the tip unless another replica has sealed since. */
  private knownTip: string | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.AUDIT_SEAL_INTERVAL_MS > 0) {
      this.timer = setInterval(() => {
        this.sealPending().catch((error: unknown) => this.logger.error({ err: error }, 'audit sealing failed'));
      }, this.config.AUDIT_SEAL_INTERVAL_MS);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Seals everything inserted so far; returns how many rows it sealed. */
  sealPending(): Promise<number> {
    this.running ??= this.sealAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
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
    const sealed = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEALER_LOCK]);
      // Plain rows, only the hashed columns: entity hydration would cost more than the hashing.
      const pending: HashedAuditFields[] = await manager.query(
        `SELECT id::text AS id, occurred_at AS "occurredAt", organization_id AS "organizationId", actor_type AS "actorType",
                actor_id AS "actorId", action, resource_type AS "resourceType", resource_ref AS "resourceRef", outcome,
                request_id AS "requestId", details
           FROM audit_events WHERE hash IS NULL ORDER BY id LIMIT $1`,
        [BATCH],
      );
      if (pending.length === 0) return { count: 0, tip: undefined };
      let previous = (await this.lastHash(manager)) ?? GENESIS_HASH;
      const ids: string[] = [];
      const prevHashes: string[] = [];
      const hashes: string[] = [];
      for (const row of pending) {
        const hash = hashAuditRow(previous, row);
        ids.push(String(row.id));
        prevHashes.push(previous);
        hashes.push(hash);
        previous = hash;
      }
      // One set-based statement per batch: sealing must stay cheap next to the inserts it follows.
      await manager.query(
        `UPDATE audit_events a SET prev_hash = v.prev_hash, hash = v.hash
           FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, prev_hash, hash)
          WHERE a.id = v.id`,
        [ids, prevHashes, hashes],
      );
      return { count: pending.length, tip: previous };
    });
    // Remembered only once committed: a rolled-back batch's hashes are not the chain's.
    if (sealed.tip) this.knownTip = sealed.tip;
    return sealed.count;
  }

  private async lastHash(manager: EntityManager): Promise<string | undefined> {
    // Under the sealer lock: the tip we wrote is still the tip if nothing links to it (one index
    // probe). Only when another replica has sealed since do we search the whole chain for its tip.
    if (this.knownTip) {
      const successors: unknown[] = await manager.query('SELECT 1 FROM audit_events WHERE prev_hash = $1 LIMIT 1', [this.knownTip]);
      if (successors.length === 0) return this.knownTip;
    }
    // The chain's tip is the sealed hash no other row points back to.
    const rows: { hash: string }[] = await manager.query(
      `SELECT a.hash FROM audit_events a WHERE a.hash IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM audit_events b WHERE b.prev_hash = a.hash) LIMIT 1`,
    );
    return rows[0]?.hash;
  }

  async verify(): Promise<ChainVerification> {
    const rows = await this.dataSource.getRepository(AuditEventEntity).find({ where: { hash: Not(IsNull()) }, order: { id: 'ASC' } });
    return verifyAuditChain(rows);
  }
}
