import { Inject, Injectable } from '@nestjs/common';
import type { AuditEventsQuery } from '@mazevault/contracts';
import { AuditEventEntity } from '@mazevault/persistence';
import { DataSource } from 'typeorm';
import { AuditService } from './audit.service';

export interface AuditEventsPage {
  events: AuditEventEntity[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/**
 * Reads audit events newest first, filtered (action, actor, resource, outcome, time range) and
 * paginated by cursor (`before` an event id: stable while new events arrive, unlike an offset).
 */
@Injectable()
export class AuditEventsReader {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** `organizationId` null: the events no organization owns (anonymous calls). */
  async page(organizationId: string | null, query: AuditEventsQuery): Promise<AuditEventsPage> {
    const q = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (organizationId === null) q.where('e.organization_id IS NULL');
    else q.where('e.organization_id = :organizationId', { organizationId });
    if (query.action) q.andWhere('e.action = :action', { action: query.action });
    if (query.actorType) q.andWhere('e.actor_type = :actorType', { actorType: query.actorType });
    if (query.actorId) q.andWhere('e.actor_id = :actorId', { actorId: query.actorId });
    if (query.resourceType)
      q.andWhere('e.resource_type = :resourceType', { resourceType: query.resourceType });
    if (query.resourceRef)
      q.andWhere('e.resource_ref = :resourceRef', {
        resourceRef: this.audit.storedReference(query.resourceRef),
      });
    if (query.outcome) q.andWhere('e.outcome = :outcome', { outcome: query.outcome });
    if (query.from) q.andWhere('e.occurred_at >= :from', { from: new Date(query.from) });
    if (query.to) q.andWhere('e.occurred_at < :to', { to: new Date(query.to) });
    if (query.before) q.andWhere('e.id < :before', { before: query.before });
    // One row more than the page tells whether an older page exists.
    const rows = await q
      .orderBy('e.id', 'DESC')
      .take(query.limit + 1)
      .getMany();
    const events = rows.slice(0, query.limit);
    return rows.length > query.limit
      ? { events, nextCursor: String(events[events.length - 1].id) }
      : { events };
  }
}
