import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Which gateway role runs an environment's tasks, and the fencing epoch: bumped on every change, so a
 * lease or result from an earlier epoch (a fenced gateway that comes back) is refused. No row = the
 * `primary` role at epoch 0.
 */
@Entity('gateway_failover')
@Check('CHK_gateway_failover_environment', `"environment" IN ('NPR', 'PRO')`)
@Check('CHK_gateway_failover_active_role', `"active_role" IN ('primary', 'dr-standby')`)
export class GatewayFailoverEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  environment!: string;

  @Column({ name: 'active_role', type: 'varchar', length: 16, default: 'primary' })
  activeRole!: string;

  @Column({ type: 'int', default: 0 })
  epoch!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'varchar', length: 128, nullable: true })
  updatedBy!: string | null;
}
