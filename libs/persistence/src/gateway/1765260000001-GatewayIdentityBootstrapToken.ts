import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SHA-256 of the bootstrap token the stored identity was enrolled with: a start with a different
 * GATEWAY_BOOTSTRAP_TOKEN means "enroll again" (after a revoked certificate), the same one does not.
 */
export class GatewayIdentityBootstrapToken1765260000001 implements MigrationInterface {
  name = 'GatewayIdentityBootstrapToken1765260000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "gateway_identity" ADD "bootstrap_token_hash" character varying(64)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "gateway_identity" DROP COLUMN "bootstrap_token_hash"`);
  }
}
