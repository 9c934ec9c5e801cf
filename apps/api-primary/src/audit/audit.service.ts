import { Inject, Injectable } from '@nestjs/common';
import { maskReference } from '@mazevault/crypto';
import { type AuditOutcome, GroupCommit } from '@mazevault/persistence';
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

/** One audit row, keyed by column (see INSERT_SQL). */
interface AuditRow {
  occurred_at: Date;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_ref: string | null;
  outcome: AuditOutcome;
  request_id: string | null;
  details: Record<string, unknown>;
}

/**
 * Many rows in one statement and one parameter: the rows as a JSON array, which JSON.stringify
 * builds natively (per-column array literals cost more to build than the INSERT itself).
 */
const INSERT_SQL = `INSERT INTO audit_events
  (occurred_at, organization_id, actor_type, actor_id, action, resource_type, resource_ref, outcome, request_id, details)
  SELECT occurred_at, organization_id, actor_type, actor_id, action, resource_type, resource_ref, outcome, request_id, details
    FROM jsonb_to_recordset($1::jsonb) AS r(occurred_at timestamptz, organization_id uuid, actor_type varchar, actor_id varchar,
         action varchar, resource_type varchar, resource_ref varchar, outcome varchar, request_id varchar, details jsonb)`;

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
    return {
      occurred_at: new Date(),
      organization_id: event.organizationId ?? null,
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      resource_type: event.resourceType,
      resource_ref: event.resourceRef ? maskReference(event.resourceRef, this.config.TENANT_SALT) : null,
      outcome: event.outcome,
      request_id: event.requestId ?? null,
      details: event.details ?? {},
    };
  }
}

async function insertRows(manager: EntityManager, rows: AuditRow[]): Promise<void> {
  await manager.query(INSERT_SQL, [JSON.stringify(rows)]);
}
