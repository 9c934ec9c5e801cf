import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CertificateAuthorityKind = 'root' | 'intermediate';
/**
 * `pending`: an intermediate whose CSR went to an external root and whose certificate is not imported yet.
 * `revoked`: its certificate is revoked by its parent (terminal; the CA signs nothing any more).
 */
export type CertificateAuthorityStatus = 'active' | 'pending' | 'disabled' | 'revoked';

/**
 * An issuer held by the Primary. Its private key (and its delegated OCSP signer's key) are stored
 * only sealed (libs/crypto sealed-private-key: a data key wrapped by the master key, AAD = kind + CA id).
 */
@Entity('certificate_authorities')
@Index('UQ_certificate_authorities_org_name', ['organizationId', 'name'], { unique: true })
export class CertificateAuthorityEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind!: CertificateAuthorityKind;

  @Column({ name: 'key_type', type: 'varchar', length: 32 })
  keyType!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CertificateAuthorityStatus;

  /** Null while `pending`. */
  @Column({ name: 'certificate_der', type: 'bytea', nullable: true })
  certificateDer!: Buffer | null;

  @Column({ name: 'certificate_pem', type: 'text', nullable: true })
  certificatePem!: string | null;

  /** PEM certificates above this CA, issuer first (empty for a root). */
  @Column({ name: 'chain_pem', type: 'text', default: '' })
  chainPem!: string;

  /** The pending intermediate's CSR (PEM), for export to an external root. */
  @Column({ name: 'csr_pem', type: 'text', nullable: true })
  csrPem!: string | null;

  @Column({ name: 'sealed_private_key', type: 'text' })
  sealedPrivateKey!: string;

  @Column({ name: 'master_key_id', type: 'varchar', length: 128 })
  masterKeyId!: string;

  @Column({ name: 'not_after', type: 'timestamptz', nullable: true })
  notAfter!: Date | null;

  @Column({ name: 'ocsp_signer_der', type: 'bytea', nullable: true })
  ocspSignerDer!: Buffer | null;

  @Column({ name: 'ocsp_signer_sealed_key', type: 'text', nullable: true })
  ocspSignerSealedKey!: string | null;

  @Column({ name: 'ocsp_signer_not_after', type: 'timestamptz', nullable: true })
  ocspSignerNotAfter!: Date | null;

  /** Last CRL number used (full and delta CRLs share one sequence, RFC 5280 5.2.4). */
  @Column({ name: 'crl_number', type: 'bigint', default: '0' })
  crlNumber!: string;

  /** Number of the last full CRL, the base of delta CRLs. */
  @Column({ name: 'base_crl_number', type: 'bigint', default: '0' })
  baseCrlNumber!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
