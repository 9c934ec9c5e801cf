import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { EnvironmentEntity } from './environment.entity';

/** A secret's identity and metadata; its values live in `secret_versions`, encrypted. */
@Entity('secrets')
@Index('UQ_secrets_environment_path', ['environmentId', 'path'], { unique: true })
export class SecretEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId!: string;

  @ManyToOne(() => EnvironmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'environment_id' })
  environment?: EnvironmentEntity;

  /** Slash-separated (`app/db`); listing by prefix walks it like directories. */
  @Column({ type: 'varchar', length: 512 })
  path!: string;

  @Column({ name: 'current_version', type: 'int', default: 0 })
  currentVersion!: number;

  /** Older versions beyond this many are destroyed on write (0 = keep all). */
  @Column({ name: 'max_versions', type: 'int', default: 10 })
  maxVersions!: number;

  @Column({ name: 'custom_metadata', type: 'jsonb', default: () => "'{}'" })
  customMetadata!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
