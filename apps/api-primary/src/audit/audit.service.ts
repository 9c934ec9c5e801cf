import { Inject, Injectable } from '@nestjs/common';
import { maskReference } from '@mazevault/crypto';
import { AuditEventEntity, type AuditOutcome } from '@mazevault/persistence';
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

/**
 * Writes audit events. Pass the caller's EntityManager to write inside its transaction, so the
 * event and the change it describes commit or roll back together.
 */
@Injectable()
export class AuditService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
  ) {}

  async record(event: AuditRecord, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.save(AuditEventEntity, manager.create(AuditEventEntity, {
      occurredAt: new Date(),
      organizationId: event.organizationId ?? null,
      actorType: event.actorType,
      actorId: event.actorId ?? null,
      action: event.action,
      resourceType: event.resourceType,
      resourceRef: event.resourceRef ? maskReference(event.resourceRef, this.config.TENANT_SALT) : null,
      outcome: event.outcome,
      requestId: event.requestId ?? null,
      details: event.details ?? {},
    }));
  }
}
