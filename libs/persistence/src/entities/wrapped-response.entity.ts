import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A response-wrapped value (Vault's cubbyhole pattern): encrypted under a key derived from the
 * single-use wrapping token, which is never stored (only its SHA-256). Unwrapping deletes the row.
 */
@Entity('wrapped_responses')
export class WrappedResponseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('UQ_wrapped_responses_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  ciphertext!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
