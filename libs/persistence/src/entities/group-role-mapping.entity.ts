import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { RoleEntity } from './role.entity';

/** Maps an identity provider's group or app role (by external id) to a role on a scope, for SSO. */
// The migration makes this index NULLS NOT DISTINCT (TypeORM has no option for it): an org-wide
// binding (null project/environment) must be unique too.
@Entity('group_role_mappings')
@Index(
  'UQ_group_role_mappings',
  ['organizationId', 'provider', 'externalId', 'roleName', 'projectId', 'environmentId'],
  { unique: true },
)
export class GroupRoleMappingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** e.g. `entra`; the namespace of `externalId`. */
  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  /** Entra group object id or app role value. */
  @Column({ name: 'external_id', type: 'varchar', length: 256 })
  externalId!: string;

  @Column({ name: 'role_name', type: 'varchar', length: 64 })
  roleName!: string;

  @ManyToOne(() => RoleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'role_name' })
  role?: RoleEntity;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId!: string | null;

  @Column({ name: 'environment_id', type: 'uuid', nullable: true })
  environmentId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
