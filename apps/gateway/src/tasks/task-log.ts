import { GatewayTaskLogEntity } from '@mazevault/persistence';
import type { DataSource } from 'typeorm';

export interface TaskLogEntry {
  idempotencyKey: string;
  taskId: string;
  kind: string;
  status: 'succeeded' | 'failed';
  errorCode: string | null;
  /** What re-reporting needs, never a secret value (a rotation keeps its Key Vault version). */
  outputSummary: Record<string, unknown> | null;
  finishedAt: Date;
}

/** Finished tasks by idempotency key, in the gateway's own database: a redelivery is not run twice. */
export class TaskLog {
  constructor(private readonly dataSource: DataSource) {}

  async find(idempotencyKey: string): Promise<TaskLogEntry | null> {
    return this.dataSource.getRepository(GatewayTaskLogEntity).findOneBy({ idempotencyKey });
  }

  /**
   * Records an outcome. A success is final: it is never overwritten (a replica that raced this one
   * cannot turn it into a failure); a failure may be replaced by a later attempt's outcome.
   */
  async record(entry: TaskLogEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "gateway_task_log" ("idempotency_key", "task_id", "kind", "status", "error_code", "output_summary", "finished_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ("idempotency_key") DO UPDATE SET
         "task_id" = EXCLUDED."task_id", "kind" = EXCLUDED."kind", "status" = EXCLUDED."status",
         "error_code" = EXCLUDED."error_code", "output_summary" = EXCLUDED."output_summary",
         "finished_at" = EXCLUDED."finished_at"
       WHERE "gateway_task_log"."status" <> 'succeeded'`,
      [
        entry.idempotencyKey,
        entry.taskId,
        entry.kind,
        entry.status,
        entry.errorCode,
        entry.outputSummary === null ? null : JSON.stringify(entry.outputSummary),
        entry.finishedAt,
      ],
    );
  }
}
