import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit hash chain's head in a one-row table: whoever extends the chain links its events to the
 * tip stored here and moves it in the same transaction (by compare-and-set, or under a row lock; see
 * apps/api-primary/src/audit/audit-chain-head.ts). Finding the tip no longer needs a search of the
 * chain, and events can be sealed as they are inserted. Seeded with the current tip (or the genesis
 * hash on an empty log).
 */
export class AuditChainHead1764500000000 implements MigrationInterface {
  name = 'AuditChainHead1764500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_chain_head" ("id" smallint NOT NULL DEFAULT 1, "hash" character(64) NOT NULL, CONSTRAINT "PK_audit_chain_head" PRIMARY KEY ("id"), CONSTRAINT "CHK_audit_chain_head_single_row" CHECK ("id" = 1))`,
    );
    await queryRunner.query(
      `INSERT INTO "audit_chain_head" ("id", "hash") VALUES (1, COALESCE(
         (SELECT a.hash FROM audit_events a WHERE a.hash IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM audit_events b WHERE b.prev_hash = a.hash) LIMIT 1),
         repeat('0', 64)))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
  }
}
