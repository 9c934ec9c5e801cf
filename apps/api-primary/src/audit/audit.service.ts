import { Inject, Injectable } from '@nestjs/common';
import { maskReference } from '@mazevault/crypto';
import { type AuditOutcome, columnArrays, GroupCommit } from '@mazevault/persistence';
import { DataSource, type EntityManager } from 'typeorm';
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

/** One audit row as column arrays take it (see INSERT_SQL). */
type AuditRow = [Date, string | null, string, string | null, string, string, string | null, AuditOutcome, string | null, string];

/** Many rows in one statement, one array parameter per column (cheap to build, one round trip). */
const INSERT_SQL = `INSERT INTO audit_events
  (occurred_at, organization_id, actor_type, actor_id, action, resource_type, resource_ref, outcome, request_id, details)
  SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
                       $7::varchar[], $8::varchar[], $9::varchar[], $10::jsonb[])`;

/**
 * Writes audit events. Pass the caller's EntityManager to write inside its transaction, so the
 * event and the change it describes commit or roll back together. Without one (reads, denials), the
 * event joins a group commit: while one multi-row INSERT is in flight the next events queue, and
 * each caller's promise resolves only once its row is committed — durable before the response, at a
 * fraction of a commit per request.
 */
@Injectable()
export class AuditService {
  private readonly committed: GroupCommit<AuditRow>;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {
    this.committed = new GroupCommit((rows) => insertRows(dataSource.manager, rows));
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
    return [
      new Date(),
      event.organizationId ?? null,
      event.actorType,
      event.actorId ?? null,
      event.action,
      event.resourceType,
      event.resourceRef ? maskReference(event.resourceRef, this.config.TENANT_SALT) : null,
      event.outcome,
      event.requestId ?? null,
      JSON.stringify(event.details ?? {}),
    ];
  }
}

async function insertRows(manager: EntityManager, rows: AuditRow[]): Promise<void> {
  await manager.query(INSERT_SQL, columnArrays(rows, 10));
}
