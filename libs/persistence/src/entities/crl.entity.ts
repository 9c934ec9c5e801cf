import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every CRL a CA published; the latest full / delta per CA is what the public URLs serve. */
@Entity('crls')
@Index('IDX_crls_ca_delta_number', ['caId', 'delta', 'number'])
export class CrlEntity {
  @PrimaryColumn({ name: 'ca_id', type: 'uuid' })
  caId!: string;

  @PrimaryColumn({ type: 'bigint' })
  number!: string;

  @Column({ type: 'boolean' })
  delta!: boolean;

  @Column({ type: 'bytea' })
  der!: Buffer;

  @Column({ name: 'this_update', type: 'timestamptz' })
  thisUpdate!: Date;

  @Column({ name: 'next_update', type: 'timestamptz' })
  nextUpdate!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
