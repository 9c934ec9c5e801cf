import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The platform CA: the Primary's own issuer for the gateway listener's server certificate and every
 * gateway (later agent) client certificate, kept apart from customer CAs. One row per purpose; the
 * primary key makes its creation on first start race-free across replicas (INSERT … ON CONFLICT).
 */
@Entity('platform_ca')
export class PlatformCaEntity {
  /** The purpose (`gateway-mtls`): the unique key every replica races on. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  purpose!: string;

  /** Bound into the AAD of the sealed key. */
  @Column({ name: 'ca_id', type: 'uuid' })
  caId!: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem!: string;

  @Column({ name: 'sealed_private_key', type: 'text' })
  sealedPrivateKey!: string;

  @Column({ name: 'server_certificate_pem', type: 'text' })
  serverCertificatePem!: string;

  @Column({ name: 'server_sealed_private_key', type: 'text' })
  serverSealedPrivateKey!: string;

  @Column({ name: 'server_not_after', type: 'timestamptz' })
  serverNotAfter!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
