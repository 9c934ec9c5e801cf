import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A role: what may be issued from one CA (libs/pki `CertificateProfileInput` in `definition`). */
@Entity('certificate_profiles')
@Index('UQ_certificate_profiles_org_name', ['organizationId', 'name'], { unique: true })
export class CertificateProfileEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'ca_id', type: 'uuid' })
  caId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /**
   * The project the profile serves, if any: issuing under it and revoking what it issued is then
   * authorized on that project (project admins), not only organization-wide.
   */
  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId!: string | null;

  @Column({ type: 'jsonb' })
  definition!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
