import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's end-to-end encryption keys (both private JWKs, sealed with its master key) and the
 * Primary's public E2EE keys it received at registration. Null on an identity enrolled before: such
 * a gateway enrolls again (it cannot speak the sealed protocol without them).
 */
export class GatewayIdentityE2ee1765300000401 implements MigrationInterface {
  name = 'GatewayIdentityE2ee1765300000401';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "gateway_identity" ADD "sealed_e2ee_keys" text, ADD "primary_e2ee" jsonb`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "gateway_identity" DROP COLUMN "primary_e2ee", DROP COLUMN "sealed_e2ee_keys"`,
    );
  }
}
