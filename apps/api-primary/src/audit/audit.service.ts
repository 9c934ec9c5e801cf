import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from '@mazevault/platform';
import { maskReference } from '@mazevault/crypto';
import { type AuditOutcome, GroupCommit } from '@mazevault/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import {
  AuditKeys,
  type AuditRow,
  insertRows,
  SealedRowWriter,
  storableJson,
  storableText,
} from '@mazevault/audit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
    @Inject(AuditKeys) keys: AuditKeys,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    const sealed = new SealedRowWriter(dataSource, keys);
    this.committed = new GroupCommit((rows) => sealed.write(rows));
  }

  /** A clear reference as it is stored (masked when TENANT_SALT is set), to filter events by it. */
  storedReference(reference: string): string {
    return storableText(maskReference(reference, this.config.TENANT_SALT), 512);
  }

  async record(event: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = this.toRow(event);
    if (manager) {
      await insertRows(manager, [row]);
      return;
    }
    await this.committed.add(row);
  }

  /**
   * The row as PostgreSQL will store it and give it back — what the link covers must be exactly that
   * — and storable whatever the request carried: uuids lower-case (a malformed one moves to details.invalidOrganizationId),
   * details as plain JSON (no undefined, no toJSON objects), strings without the characters PostgreSQL
   * refuses and cut to their column's length. An event must never fail on its content.
   */
  private toRow(event: AuditRecord): AuditRow {
    const details = (event.details ? storableJson(JSON.parse(JSON.stringify(event.details))) : {}) as Record<
      string,
      unknown
    >;
    const organizationId = event.organizationId?.toLowerCase() ?? null;
    if (organizationId !== null && !UUID.test(organizationId))
      details.invalidOrganizationId = storableText(organizationId, 128);
    const text = (value: string | null | undefined, max: number) =>
      value === null || value === undefined ? null : storableText(value, max);
    return {
      occurred_at: this.clock.now(),
      organization_id: organizationId !== null && UUID.test(organizationId) ? organizationId : null,
      actor_type: storableText(event.actorType, 32),
      actor_id: text(event.actorId, 128),
      action: storableText(event.action, 128),
      resource_type: storableText(event.resourceType, 64),
      // Masked before it is made storable: the HMAC covers exactly what the caller passed.
      resource_ref: event.resourceRef ? this.storedReference(event.resourceRef) : null,
      outcome: event.outcome,
      request_id: text(event.requestId, 128),
      details,
    };
  }
}
