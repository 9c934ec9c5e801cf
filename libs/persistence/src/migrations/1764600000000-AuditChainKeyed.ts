import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyed audit links: `audit_events.key_id` names the master key whose derived HMAC key linked the
 * row (apps/api-primary/src/audit/audit-keys.ts). It also marks the scheme: rows sealed before this
 * migration keep key_id NULL and their unkeyed SHA-256 links, which still verify — but only as well as
 * SHA-256 can, so they are reported apart (`unkeyed`). The first keyed row links to their tip, so from
 * then on rewriting them breaks a keyed link. The append-only trigger needs no change: key_id is set
 * together with the hash, while a row is still unsealed.
 */
export class AuditChainKeyed1764600000000 implements MigrationInterface {
  name = 'AuditChainKeyed1764600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "key_id" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "key_id"`);
  }
}
