import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type GatewayStatus = 'pending' | 'active' | 'disabled';

/** A gateway the Primary knows: created by a bootstrap call, active once enrolled with its CSR. */
@Entity('gateways')
@Index('UQ_gateways_organization_name', ['organizationId', 'name'], { unique: true })
export class GatewayEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  environment!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: GatewayStatus;

  /** Hex serial of the one client certificate accepted for this gateway (a renewal replaces it). */
  @Column({ name: 'certificate_serial', type: 'varchar', length: 64, nullable: true })
  certificateSerial!: string | null;

  @Column({ name: 'certificate_not_after', type: 'timestamptz', nullable: true })
  certificateNotAfter!: Date | null;

  @Column({ name: 'enrolled_at', type: 'timestamptz', nullable: true })
  enrolledAt!: Date | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** The last heartbeat's body (ids, counters, versions: never secret material). */
  @Column({ name: 'last_heartbeat', type: 'jsonb', nullable: true })
  lastHeartbeat!: Record<string, unknown> | null;

  /** Its E2EE public keys (ES256 signing, ECDH-ES encryption), from registration; null while pending. */
  @Column({ name: 'e2ee_signing_jwk', type: 'jsonb', nullable: true })
  e2eeSigningJwk!: Record<string, string> | null;

  @Column({ name: 'e2ee_encryption_jwk', type: 'jsonb', nullable: true })
  e2eeEncryptionJwk!: Record<string, string> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
