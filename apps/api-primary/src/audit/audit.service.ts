import { Inject, Injectable } from '@nestjs/common';
import { maskReference } from '@mazevault/crypto';
import { AuditEventEntity, type AuditOutcome } from '@mazevault/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

export interface AuditRecord {
  organizationId?: string | null;
  actorType: string;
  actorId?: string | null;
  action: string;
  resourceType: string;
  /** Clear reference (a path, an email); masked with TENANT_SALT here before it is stored. */
  resourceRef?: string | null;
  outcome: AuditOutcome;
  requestId?: string | null;
  /** Non-secret context only: reasons, status codes, ids. */
  details?: Record<string, unknown>;
}

interface PendingEvent {
  row: QueryDeepPartialEntity<AuditEventEntity>;
  resolve(): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 500;

/**
 * Writes audit events. Pass the caller's EntityManager to write inside its transaction, so the
 * event and the change it describes commit or roll back together. Without one (reads, denials), the
 * event joins a group commit: while one multi-row INSERT is in flight the next events queue, and
 * each caller's promise resolves only once its row is committed — durable before the response, at a
 * fraction of a commit per request.
 */
@Injectable()
export class AuditService {
  private pending: PendingEvent[] = [];
  private flushing = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  async record(event: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = this.toRow(event);
    if (manager) {
      await manager.insert(AuditEventEntity, row);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          await this.dataSource.createQueryBuilder().insert().into(AuditEventEntity).values(batch.map((e) => e.row)).updateEntity(false).execute();
          for (const event of batch) event.resolve();
        } catch (error) {
          for (const event of batch) event.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private toRow(event: AuditRecord): QueryDeepPartialEntity<AuditEventEntity> {
    return {
      occurredAt: new Date(),
      organizationId: event.organizationId ?? null,
      actorType: event.actorType,
      actorId: event.actorId ?? null,
      action: event.action,
      resourceType: event.resourceType,
      resourceRef: event.resourceRef ? maskReference(event.resourceRef, this.config.TENANT_SALT) : null,
      outcome: event.outcome,
      requestId: event.requestId ?? null,
      details: (event.details ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
    };
  }
}
