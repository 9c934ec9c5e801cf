import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type GatewayTaskStatus = 'queued' | 'leased' | 'succeeded' | 'failed';

/**
 * Work queued for an environment's active gateway. `params` names ids only (never a value); a
 * `sync-secrets` task's secrets are resolved when it is delivered, and `output` is a summary without
 * values. `attempt` counts deliveries; `lease_epoch` is the environment's fencing epoch at the lease.
 */
@Entity('gateway_tasks')
@Check('CHK_gateway_tasks_environment', `"environment" IN ('NPR', 'PRO')`)
@Check('CHK_gateway_tasks_status', `"status" IN ('queued', 'leased', 'succeeded', 'failed')`)
@Check(
  'CHK_gateway_tasks_lease',
  `"status" <> 'leased' OR ("leased_by_gateway_id" IS NOT NULL AND "lease_epoch" IS NOT NULL AND "lease_expires_at" IS NOT NULL)`,
)
// What a poll scans: the open tasks of one organization and environment, oldest first.
@Index('IDX_gateway_tasks_open', ['organizationId', 'environment', 'status', 'createdAt'], {
  where: `"status" IN ('queued', 'leased')`,
})
@Index('UQ_gateway_tasks_organization_idempotency_key', ['organizationId', 'idempotencyKey'], {
  unique: true,
})
export class GatewayTaskEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 8 })
  environment!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'jsonb' })
  params!: Record<string, string>;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: GatewayTaskStatus;

  @Column({ type: 'int', default: 0 })
  attempt!: number;

  @Column({ name: 'leased_by_gateway_id', type: 'uuid', nullable: true })
  leasedByGatewayId!: string | null;

  @Column({ name: 'lease_epoch', type: 'int', nullable: true })
  leaseEpoch!: number | null;

  @Column({ name: 'leased_at', type: 'timestamptz', nullable: true })
  leasedAt!: Date | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  output!: Record<string, string | number> | null;

  /** `user:<id>` or `api_token:<id>`. */
  @Column({ name: 'created_by', type: 'varchar', length: 128, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
