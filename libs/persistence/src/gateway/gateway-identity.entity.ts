import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A gateway's own identity, in the gateway's database (never the Primary's): its id, its mTLS client
 * certificate and chain, the platform CA it pins the Primary to, and its private key sealed with the
 * gateway's master key. One row (`slot` = 'current'): a restart reuses it without a new token.
 */
@Entity('gateway_identity')
export class GatewayIdentityEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  slot!: string;

  @Column({ name: 'gateway_id', type: 'uuid' })
  gatewayId!: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem!: string;

  @Column({ name: 'platform_ca_pem', type: 'text' })
  platformCaPem!: string;

  @Column({ name: 'sealed_private_key', type: 'text' })
  sealedPrivateKey!: string;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter!: Date;

  /** Its E2EE private keys (signing and encryption JWKs as JSON), sealed with the master key. */
  @Column({ name: 'sealed_e2ee_keys', type: 'text', nullable: true })
  sealedE2eeKeys!: string | null;

  /** The Primary's public E2EE keys (`primaryE2ee` of the registration answer). */
  @Column({ name: 'primary_e2ee', type: 'jsonb', nullable: true })
  primaryE2ee!: { signing: Record<string, string>; encryption: Record<string, string> } | null;

  /** SHA-256 (hex) of the bootstrap token this identity was enrolled with; null before it was recorded. */
  @Column({ name: 'bootstrap_token_hash', type: 'varchar', length: 64, nullable: true })
  bootstrapTokenHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
