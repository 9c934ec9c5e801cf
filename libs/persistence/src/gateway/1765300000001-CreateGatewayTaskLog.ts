import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tasks a gateway has run, by idempotency key (see gateway-task-log.entity.ts). */
export class CreateGatewayTaskLog1765300000001 implements MigrationInterface {
  name = 'CreateGatewayTaskLog1765300000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "gateway_task_log" ("idempotency_key" character varying(128) NOT NULL, "task_id" uuid NOT NULL, "kind" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "error_code" character varying(64), "output_summary" jsonb, "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_gateway_task_log" PRIMARY KEY ("idempotency_key"), CONSTRAINT "CHK_gateway_task_log_status" CHECK ("status" IN ('succeeded', 'failed')))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gateway_task_log"`);
  }
}
