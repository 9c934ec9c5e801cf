import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SecretEntity } from './secret.entity';

/**
 * One immutable version of a secret value: ciphertext only (envelope format v1, AAD-bound to
 * organization, project, environment, secret id and version). Soft delete hides a version and can be
 * undone; destroy wipes the ciphertext for good.
 */
@Entity('secret_versions')
export class SecretVersionEntity {
  @PrimaryColumn({ name: 'secret_id', type: 'uuid' })
  secretId!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @ManyToOne(() => SecretEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'secret_id' })
  secret?: SecretEntity;

  @Column({ type: 'text', nullable: true })
  ciphertext!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'destroyed_at', type: 'timestamptz', nullable: true })
  destroyedAt!: Date | null;
}
