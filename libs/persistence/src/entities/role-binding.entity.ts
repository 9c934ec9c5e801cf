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
import { UserEntity } from './user.entity';

/** Grants a role to a user on a scope: the organization, one project in it, or one environment. */
// The migration makes this index NULLS NOT DISTINCT (TypeORM has no option for it): an org-wide
// binding (null project/environment) must be unique too.
@Entity('role_bindings')
@Index('UQ_role_bindings_scope', ['userId', 'roleName', 'organizationId', 'projectId', 'environmentId'], {
  unique: true,
})
export class RoleBindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('IDX_role_bindings_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'role_name', type: 'varchar', length: 64 })
  roleName!: string;

  @ManyToOne(() => RoleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'role_name' })
  role?: RoleEntity;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId!: string | null;

  @Column({ name: 'environment_id', type: 'uuid', nullable: true })
  environmentId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
