import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  ManyToOne,
  JoinColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { OrganizationEntity } from './organization.entity';

@Entity('users')
// Emails are unique per organization (like Vault's userpass per namespace), so creating a user never
// reveals whether the address exists in another organization; login disambiguates (AuthService).
@Index('UQ_users_organization_email', ['organizationId', 'email'], { unique: true })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('IDX_users_organization')
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** Canonical form (NFKC, trimmed, lower-case): the login and lockout key, unique per organization. */
  @Index('IDX_users_email')
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  /** scrypt encoding; null for SSO-only users. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  /**
   * Platform (server) administrator: may create, list and disable organizations, create their first
   * admins and verify the whole audit chain. Set by bootstrap-admin only, never through the API, so no
   * organization-scoped role binding can lead to it.
   */
  @Column({ name: 'platform_admin', type: 'boolean', default: false })
  platformAdmin!: boolean;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  /**
   * Sessions issued before this instant are no longer accepted: set by logout (which ends every
   * session of the user), a password change or reset, and disabling. Null: no session revoked.
   */
  @Column({ name: 'sessions_not_before', type: 'timestamptz', nullable: true })
  sessionsNotBefore!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
