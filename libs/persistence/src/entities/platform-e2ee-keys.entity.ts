import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The Primary's end-to-end encryption keys for the gateway protocol (ES256 signing, ECDH-ES+A256KW
 * encryption), apart from every TLS key: a proxy holding those still cannot read or forge. One row
 * per purpose, created on first start like the platform CA (INSERT … ON CONFLICT DO NOTHING).
 */
@Entity('platform_e2ee_keys')
export class PlatformE2eeKeysEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  purpose!: string;

  /** Bound into the AAD of the sealed private keys. */
  @Column({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ name: 'signing_public_jwk', type: 'jsonb' })
  signingPublicJwk!: Record<string, string>;

  @Column({ name: 'encryption_public_jwk', type: 'jsonb' })
  encryptionPublicJwk!: Record<string, string>;

  /** Both private JWKs (JSON), sealed with the master key. */
  @Column({ name: 'sealed_private_keys', type: 'text' })
  sealedPrivateKeys!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
