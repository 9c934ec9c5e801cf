import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'success' | 'denied' | 'failure';

/**
 * Append-only (a trigger refuses UPDATE/DELETE except the sealer filling in the hash). Each sealed
 * row is linked into a chain: hash = HMAC-SHA256(key, prev_hash ‖ canonical event), the key derived
 * from the master key `key_id` names (never stored here). Rows sealed before keyed links existed have
 * no key_id and an unkeyed SHA-256 link. Editing any sealed row breaks the chain.
 */
@Entity('audit_events')
@Index('IDX_audit_events_unsealed', ['id'], { where: 'hash IS NULL' })
// One successor per link: the chain cannot fork, and finding its tip is an index lookup.
@Index('UQ_audit_events_prev_hash', ['prevHash'], { unique: true })
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ name: 'actor_type', type: 'varchar', length: 32 })
  actorType!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 128, nullable: true })
  actorId!: string | null;

  @Index('IDX_audit_events_action')
  @Column({ type: 'varchar', length: 128 })
  action!: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 64 })
  resourceType!: string;

  /** HMAC-masked with TENANT_SALT when it is set. */
  @Column({ name: 'resource_ref', type: 'varchar', length: 512, nullable: true })
  resourceRef!: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  /** Non-secret context (reason of a denial, status code, ...). Never values. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;

  /** The master key id (public fingerprint) the link key is derived from; null = the old unkeyed scheme (or unsealed). */
  @Column({ name: 'key_id', type: 'varchar', length: 64, nullable: true })
  keyId!: string | null;

  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  hash!: string | null;
}
