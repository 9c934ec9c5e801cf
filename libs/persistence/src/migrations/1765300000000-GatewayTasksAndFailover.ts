import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gateway tasks, DR failover and the classification of project environments:
 * - `gateway_tasks`: work queued for an environment's active gateway (params name ids, never values),
 *   leased with SELECT … FOR UPDATE SKIP LOCKED, redelivered after the lease with the same
 *   idempotency key; a finished task's output is a summary without values.
 * - `gateway_failover`: per organization and gateway environment, which role runs tasks and the
 *   fencing epoch (bumped on every change; leases and results carry it).
 * - `environments.gateway_environment`: NPR, PRO or NULL — NULL means no gateway may receive the
 *   environment's secrets (default deny).
 */
export class GatewayTasksAndFailover1765300000000 implements MigrationInterface {
  name = 'GatewayTasksAndFailover1765300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "environments" ADD "gateway_environment" character varying(8), ADD CONSTRAINT "CHK_environments_gateway_environment" CHECK ("gateway_environment" IN ('NPR', 'PRO'))`,
    );
    await queryRunner.query(
      `CREATE TABLE "gateway_tasks" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "environment" character varying(8) NOT NULL, "kind" character varying(32) NOT NULL, "params" jsonb NOT NULL, "idempotency_key" character varying(128) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "attempt" integer NOT NULL DEFAULT 0, "leased_by_gateway_id" uuid, "lease_epoch" integer, "leased_at" TIMESTAMP WITH TIME ZONE, "lease_expires_at" TIMESTAMP WITH TIME ZONE, "error_code" character varying(64), "output" jsonb, "created_by" character varying(128), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_gateway_tasks" PRIMARY KEY ("id"), CONSTRAINT "CHK_gateway_tasks_environment" CHECK ("environment" IN ('NPR', 'PRO')), CONSTRAINT "CHK_gateway_tasks_status" CHECK ("status" IN ('queued', 'leased', 'succeeded', 'failed')), CONSTRAINT "CHK_gateway_tasks_lease" CHECK ("status" <> 'leased' OR ("leased_by_gateway_id" IS NOT NULL AND "lease_epoch" IS NOT NULL AND "lease_expires_at" IS NOT NULL)))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_gateway_tasks_organization_idempotency_key" ON "gateway_tasks" ("organization_id", "idempotency_key")`,
    );
    // What a poll scans: the open tasks of one organization and environment, oldest first.
    await queryRunner.query(
      `CREATE INDEX "IDX_gateway_tasks_open" ON "gateway_tasks" ("organization_id", "environment", "status", "created_at") WHERE "status" IN ('queued', 'leased')`,
    );
    await queryRunner.query(
      `CREATE TABLE "gateway_failover" ("organization_id" uuid NOT NULL, "environment" character varying(8) NOT NULL, "active_role" character varying(16) NOT NULL DEFAULT 'primary', "epoch" integer NOT NULL DEFAULT 0, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by" character varying(128), CONSTRAINT "PK_gateway_failover" PRIMARY KEY ("organization_id", "environment"), CONSTRAINT "CHK_gateway_failover_environment" CHECK ("environment" IN ('NPR', 'PRO')), CONSTRAINT "CHK_gateway_failover_active_role" CHECK ("active_role" IN ('primary', 'dr-standby')))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gateway_failover"`);
    await queryRunner.query(`DROP TABLE "gateway_tasks"`);
    await queryRunner.query(
      `ALTER TABLE "environments" DROP CONSTRAINT "CHK_environments_gateway_environment", DROP COLUMN "gateway_environment"`,
    );
  }
}
