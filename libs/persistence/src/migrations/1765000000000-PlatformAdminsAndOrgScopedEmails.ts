import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenancy: a platform-admin flag on users, and emails unique per organization instead of
 * platform-wide (so an organization admin creating a user learns nothing about other organizations).
 *
 * Backfill: on an existing installation the platform admin is the earliest user holding an
 * organization-level `admin` binding in the earliest organization — the one bootstrap-admin created.
 * Every other admin becomes an organization admin, which is what they always should have been.
 *
 * `down` fails if two organizations now hold the same email; that is deliberate (it cannot be undone
 * without deleting someone).
 */
export class PlatformAdminsAndOrgScopedEmails1765000000000 implements MigrationInterface {
  name = 'PlatformAdminsAndOrgScopedEmails1765000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "platform_admin" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `UPDATE "users" SET "platform_admin" = true WHERE "id" = (
         SELECT u."id" FROM "users" u
           JOIN "role_bindings" b ON b."user_id" = u."id" AND b."role_name" = 'admin' AND b."organization_id" = u."organization_id"
             AND b."project_id" IS NULL AND b."environment_id" IS NULL
          WHERE u."organization_id" = (SELECT o."id" FROM "organizations" o ORDER BY o."created_at", o."id" LIMIT 1)
          ORDER BY u."created_at", u."id" LIMIT 1)`,
    );
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_users_organization_email" ON "users" ("organization_id", "email") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_users_email" ON "users" ("email") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_users_email"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_users_organization_email"`);
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email")`,
    );
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "platform_admin"`);
  }
}
