import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { ProjectEntity } from './project.entity';

/** A stage of a project (dev, test, prod, ...): the unit secrets and bindings are scoped to. */
@Entity('environments')
@Check('CHK_environments_gateway_environment', `"gateway_environment" IN ('NPR', 'PRO')`)
@Index('UQ_environments_project_slug', ['projectId', 'slug'], { unique: true })
export class EnvironmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  @Column({ type: 'varchar', length: 63 })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /**
   * The gateway environment (NPR or PRO) whose gateways may receive this environment's secrets; NULL:
   * none may (default deny). A CHECK constraint keeps it to the two values.
   */
  @Column({ name: 'gateway_environment', type: 'varchar', length: 8, nullable: true })
  gatewayEnvironment!: 'NPR' | 'PRO' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
