import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A Console instance. Its three secrets live in the configured secret store (Azure Key Vault):
 * `instance-{id}` (registration token), `instance-{id}-dburi`, `instance-{id}-oidc-secret`.
 * This row keeps only their key names, never their values.
 */
@Entity('console_instances')
@Index('IDX_console_instances_organization', ['organizationId'])
export class ConsoleInstanceEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'token_ref', type: 'varchar', length: 127 })
  tokenRef!: string;

  @Column({ name: 'db_uri_ref', type: 'varchar', length: 127, nullable: true })
  dbUriRef!: string | null;

  @Column({ name: 'oidc_client_secret_ref', type: 'varchar', length: 127, nullable: true })
  oidcClientSecretRef!: string | null;

  @Column({ name: 'token_rotated_at', type: 'timestamptz' })
  tokenRotatedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
