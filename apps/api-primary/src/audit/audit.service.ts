import { Inject, Injectable } from '@nestjs/common';
import { maskReference } from '@mazevault/crypto';
import { type AuditOutcome, GroupCommit } from '@mazevault/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { type AuditRow, insertRows, SealedRowWriter } from './audit-rows';

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

/**
 * Writes audit events. Pass the caller's EntityManager to write inside its transaction, so the
 * event and the change it describes commit or roll back together (such events are sealed into the
 * hash chain later, by AuditSealerService). Without one (reads, denials, issuance), the event joins a
 * group commit: while one multi-row INSERT is in flight the next events queue, and each caller's
 * promise resolves only once its row is committed — durable before the response, at a fraction of a
 * commit per request. Those events are sealed as they are inserted, so they are never written twice.
 */
@Injectable()
export class AuditService {
  private readonly committed: GroupCommit<AuditRow>;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {
    const sealed = new SealedRowWriter(dataSource);
    this.committed = new GroupCommit((rows) => sealed.write(rows));
  }

  async record(event: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = this.toRow(event);
    if (manager) {
      await insertRows(manager, [row]);
      return;
    }
    await this.committed.add(row);
  }

  private toRow(event: AuditRecord): AuditRow {
    return {
      occurred_at: new Date(),
      // What the hash covers must be what PostgreSQL gives back: uuids come back lower-case, and
      // details as plain JSON (no undefined, no toJSON objects).
      organization_id: event.organizationId?.toLowerCase() ?? null,
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      resource_type: event.resourceType,
      resource_ref: event.resourceRef ? maskReference(event.resourceRef, this.config.TENANT_SALT) : null,
      outcome: event.outcome,
      request_id: event.requestId ?? null,
      details: event.details ? (JSON.parse(JSON.stringify(event.details)) as Record<string, unknown>) : {},
    };
  }
}
