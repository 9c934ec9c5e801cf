import { Inject, Injectable } from '@nestjs/common';
import { maskReference } from '@mazevault/crypto';
import type { AuditOutcome } from '@mazevault/persistence';
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

interface PendingEvent {
  row: AuditRow;
  resolve(): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 500;

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
  private pending: PendingEvent[] = [];
  private flushing = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  async record(event: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = this.toRow(event);
    if (manager) {
      await insertRows(manager, [row]);
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
          await insertRows(this.dataSource.manager, batch.map((e) => e.row));
          for (const event of batch) event.resolve();
        } catch (error) {
          for (const event of batch) event.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
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
  const columns: unknown[][] = Array.from({ length: 10 }, () => []);
  for (const row of rows) row.forEach((value, i) => columns[i].push(value));
  await manager.query(INSERT_SQL, columns);
}
