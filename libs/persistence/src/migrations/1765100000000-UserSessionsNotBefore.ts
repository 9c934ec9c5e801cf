import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Session revocation (logout, password change or reset): sessions issued before this are refused. */
export class UserSessionsNotBefore1765100000000 implements MigrationInterface {
  name = 'UserSessionsNotBefore1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "sessions_not_before" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "sessions_not_before"`);
  }
}
