import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Public keys revoked for keyCompromise. A compromised key is compromised everywhere: keyed by the
 * SHA-256 of the SubjectPublicKeyInfo alone (not per organization or CA), so no path of any
 * organization certifies it again. Written in the transaction that revokes the certificate.
 */
@Entity('compromised_keys')
export class CompromisedKeyEntity {
  /** Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo. */
  @PrimaryColumn({
    name: 'spki_sha256',
    type: 'char',
    length: 64,
    primaryKeyConstraintName: 'PK_compromised_keys',
  })
  spkiSha256!: string;

  /** Where it was first reported: the revoking organization and the revoked certificate. */
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'ca_id', type: 'uuid' })
  caId!: string;

  @Column({ type: 'varchar', length: 64 })
  serial!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
