import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A task the gateway finished, keyed by the task's idempotency key, so a redelivery is answered from
 * here instead of being run again. The summary never holds a secret value: for a rotation it keeps
 * the Key Vault version, and the value is read back from the vault at that version to re-report it.
 */
@Entity('gateway_task_log')
@Check('CHK_gateway_task_log_status', `"status" IN ('succeeded', 'failed')`)
export class GatewayTaskLogEntity {
  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'succeeded' | 'failed';

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'output_summary', type: 'jsonb', nullable: true })
  outputSummary!: Record<string, unknown> | null;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;
}
