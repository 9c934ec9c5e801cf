import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A one-time enrollment token: only its SHA-256 is stored; spent by a compare-and-set on `used_at`. */
@Entity('gateway_bootstrap_tokens')
@Index('UQ_gateway_bootstrap_tokens_hash', ['tokenHash'], { unique: true })
@Index('IDX_gateway_bootstrap_tokens_gateway', ['gatewayId'])
export class GatewayBootstrapTokenEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'gateway_id', type: 'uuid' })
  gatewayId!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
