import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The role catalogue. Built-in roles are seeded by migration from the same table libs/rbac decides
 * with; the table exists so bindings reference a real row and custom roles can follow.
 */
@Entity('roles')
export class RoleEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 300 })
  description!: string;

  @Column({ type: 'jsonb' })
  permissions!: string[];

  @Column({ type: 'boolean', default: false })
  builtin!: boolean;
}
