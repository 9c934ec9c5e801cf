import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type CertificateStatus = 'good' | 'revoked';

/**
 * Every certificate a CA issued (never its private key). The OCSP responder reads status, revocation
 * time and reason from here by (ca_id, serial).
 */
@Entity('certificates')
@Index('IDX_certificates_org_ca', ['organizationId', 'caId'])
@Index('IDX_certificates_not_after', ['notAfter'])
/** GIN index over `sans` (created in the migration: TypeORM cannot declare the access method). */
@Index('IDX_certificates_sans', { synchronize: false })
@Index('IDX_certificates_revoked_at', ['revokedAt'])
export class CertificateEntity {
  /** Lower-case hex, as libs/pki prints it; 128-bit random, unique per CA. */
  @PrimaryColumn({ name: 'ca_id', type: 'uuid' })
  caId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  serial!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'profile_id', type: 'uuid', nullable: true })
  profileId!: string | null;

  @Column({ name: 'common_name', type: 'varchar', length: 255, nullable: true })
  commonName!: string | null;

  /** Canonical SANs, `dns:x`, `ip:x`, `uri:x`, `email:x`. */
  @Column({ type: 'text', array: true, default: '{}' })
  sans!: string[];

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore!: Date;

  @Column({ name: 'not_after', type: 'timestamptz' })
  notAfter!: Date;

  @Column({ type: 'bytea' })
  der!: Buffer;

  @Column({ type: 'varchar', length: 16, default: 'good' })
  status!: CertificateStatus;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** RFC 5280 CRLReason code. */
  @Column({ name: 'revocation_reason', type: 'smallint', nullable: true })
  revocationReason!: number | null;

  /**
   * Set when this is a CA's certificate (an intermediate a platform CA signed): the CA it certifies.
   * Such a row is revoked through the CA (`POST /pki/cas/:id/revoke`), never as a leaf.
   */
  @Column({ name: 'subject_ca_id', type: 'uuid', nullable: true })
  subjectCaId!: string | null;

  /** The certificate this one renewed or rekeyed. */
  @Column({ name: 'replaces_serial', type: 'varchar', length: 64, nullable: true })
  replacesSerial!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
