import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProjectEntity } from './project.entity';

/** A project's key-encryption key, stored only wrapped by a master key (which never touches the database). */
@Entity('project_keys')
export class ProjectKeyEntity {
  @PrimaryColumn({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @PrimaryColumn({ name: 'kek_version', type: 'int' })
  kekVersion!: number;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id' })
  project?: ProjectEntity;

  /** Which master key wraps it: master-key rotation rewrites rows whose id is not the active one. */
  @Column({ name: 'master_key_id', type: 'varchar', length: 128 })
  masterKeyId!: string;

  /** Serialized WrappedKek (libs/crypto envelope format v1). */
  @Column({ name: 'wrapped_kek', type: 'text' })
  wrappedKek!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
