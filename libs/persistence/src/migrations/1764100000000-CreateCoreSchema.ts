import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BUILTIN_ROLES } from './builtin-roles';

/**
 * The Primary's first schema: organizations, users, roles, role bindings, group/app-role mappings,
 * API tokens and the append-only audit log.
 */
export class CreateCoreSchema1764100000000 implements MigrationInterface {
  name = 'CreateCoreSchema1764100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" character varying(63) NOT NULL, "name" character varying(200) NOT NULL, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_963693341bd612aa01ddf3a4b68" UNIQUE ("slug"), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "email" character varying(320) NOT NULL, "display_name" character varying(200), "password_hash" character varying(255), "disabled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_users_organization" ON "users"  ("organization_id")`);
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "owner_user_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "token_hash" character(64) NOT NULL, "display_prefix" character varying(16) NOT NULL, "permissions" jsonb NOT NULL, "project_id" uuid, "environment_id" uuid, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_api_tokens_organization" ON "api_tokens"  ("organization_id")`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_api_tokens_hash" ON "api_tokens"  ("token_hash")`);
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "organization_id" uuid, "actor_type" character varying(32) NOT NULL, "actor_id" character varying(128), "action" character varying(128) NOT NULL, "resource_type" character varying(64) NOT NULL, "resource_ref" character varying(512), "outcome" character varying(16) NOT NULL, "request_id" character varying(128), "details" jsonb NOT NULL DEFAULT '{}', "prev_hash" character(64), "hash" character(64), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_action" ON "audit_events"  ("action")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_unsealed" ON "audit_events"  ("id") WHERE hash IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_audit_events_prev_hash" ON "audit_events" ("prev_hash")`,
    );
    await queryRunner.query(
      `CREATE TABLE "roles" ("name" character varying(64) NOT NULL, "description" character varying(300) NOT NULL, "permissions" jsonb NOT NULL, "builtin" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_648e3f5447f725579d7d4ffdfb7" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "group_role_mappings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "provider" character varying(32) NOT NULL, "external_id" character varying(256) NOT NULL, "role_name" character varying(64) NOT NULL, "project_id" uuid, "environment_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_114253a434f278b73404fcbf396" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_group_role_mappings" ON "group_role_mappings"  ("organization_id", "provider", "external_id", "role_name", "project_id", "environment_id") NULLS NOT DISTINCT`,
    );
    await queryRunner.query(
      `CREATE TABLE "role_bindings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "role_name" character varying(64) NOT NULL, "organization_id" uuid NOT NULL, "project_id" uuid, "environment_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_75acd622be13220fadd56bfdfbe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_role_bindings_user" ON "role_bindings"  ("user_id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_role_bindings_scope" ON "role_bindings"  ("user_id", "role_name", "organization_id", "project_id", "environment_id") NULLS NOT DISTINCT`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_8213a545b7ee18d597171cc49d5" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "group_role_mappings" ADD CONSTRAINT "FK_6cf52fa402a0daceec4d20f11c8" FOREIGN KEY ("role_name") REFERENCES "roles"("name") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "role_bindings" ADD CONSTRAINT "FK_69cb593d016aa4568d0d5ff0abf" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "role_bindings" ADD CONSTRAINT "FK_2f0ebe91486e120b1befe4a1003" FOREIGN KEY ("role_name") REFERENCES "roles"("name") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Audit rows are append-only: no DELETE, and UPDATE only to seal an unsealed row (fill in its hash).
    await queryRunner.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'audit_events is append-only';
        END IF;
        -- Every column but the chain's own; a migration adding a column to audit_events adds it here.
        IF OLD.hash IS NOT NULL
           OR (NEW.id, NEW.occurred_at, NEW.organization_id, NEW.actor_type, NEW.actor_id, NEW.action,
               NEW.resource_type, NEW.resource_ref, NEW.outcome, NEW.request_id, NEW.details)
              IS DISTINCT FROM
              (OLD.id, OLD.occurred_at, OLD.organization_id, OLD.actor_type, OLD.actor_id, OLD.action,
               OLD.resource_type, OLD.resource_ref, OLD.outcome, OLD.request_id, OLD.details) THEN
          RAISE EXCEPTION 'audit_events is append-only: only unsealed rows may be sealed';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
    );
    for (const role of BUILTIN_ROLES) {
      await queryRunner.query(
        `INSERT INTO "roles" ("name", "description", "permissions", "builtin") VALUES ($1, $2, $3, true)`,
        [role.name, role.description, JSON.stringify(role.permissions)],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_events_append_only ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION audit_events_append_only()`);
    await queryRunner.query(`ALTER TABLE "role_bindings" DROP CONSTRAINT "FK_2f0ebe91486e120b1befe4a1003"`);
    await queryRunner.query(`ALTER TABLE "role_bindings" DROP CONSTRAINT "FK_69cb593d016aa4568d0d5ff0abf"`);
    await queryRunner.query(
      `ALTER TABLE "group_role_mappings" DROP CONSTRAINT "FK_6cf52fa402a0daceec4d20f11c8"`,
    );
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_8213a545b7ee18d597171cc49d5"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_21a659804ed7bf61eb91688dea7"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_role_bindings_scope"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_role_bindings_user"`);
    await queryRunner.query(`DROP TABLE "role_bindings"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_group_role_mappings"`);
    await queryRunner.query(`DROP TABLE "group_role_mappings"`);
    await queryRunner.query(`DROP TABLE "roles"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_audit_events_prev_hash"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_unsealed"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_action"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_api_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_api_tokens_organization"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_users_organization"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
  }
}
