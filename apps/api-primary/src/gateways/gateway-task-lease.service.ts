import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  GatewayPollTasksRequest,
  GatewayPollTasksResponse,
  GatewayTask,
  GatewayTaskParams,
} from '@mazevault/contracts';
import type { GatewayEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { GatewayFailoverService } from './gateway-failover.service';
import { GatewayMetricsService } from './gateway-metrics.service';
import { GatewayTaskScopeService, syncBytes } from './gateway-task-scope.service';

/** How often a long-poll looks again for queued tasks while it waits. */
const LONG_POLL_STEP_MS = 250;

interface LeasedRow {
  id: string;
  idempotency_key: string;
  kind: string;
  params: GatewayTaskParams;
  attempt: number;
  lease_epoch: number;
  created_at: Date;
}

/**
 * Delivery of tasks to the polling gateway: only its environment's active gateway (a dr-standby
 * before activate-dr, or a primary fenced by it, is refused), only tasks of its own organization and
 * gateway environment. At least once: a lease runs out after GATEWAY_TASK_LEASE_SECONDS and the task
 * is delivered again with attempt + 1 and the same idempotency key, until GATEWAY_TASK_MAX_ATTEMPTS.
 * Leasing is SELECT … FOR UPDATE SKIP LOCKED, so parallel polls never take the same task.
 */
@Injectable()
export class GatewayTaskLeaseService {
  private readonly logger = new Logger('GatewayTasks');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly failover: GatewayFailoverService,
    private readonly scopes: GatewayTaskScopeService,
    private readonly metrics: GatewayMetricsService,
  ) {}

  /** Leases up to `max` tasks, waiting up to `waitSeconds` for one to be queued (or until `gone()`). */
  async poll(
    gateway: GatewayEntity,
    request: GatewayPollTasksRequest,
    gone: () => boolean = () => false,
  ): Promise<GatewayPollTasksResponse> {
    const deadline = Date.now() + request.waitSeconds * 1000;
    for (;;) {
      const { epoch, rows } = await this.lease(gateway, request.max);
      const tasks = await this.deliverable(gateway, rows);
      if (tasks.length || Date.now() >= deadline || gone()) return { epoch, tasks };
      await new Promise((r) => setTimeout(r, Math.min(LONG_POLL_STEP_MS, deadline - Date.now())));
    }
  }

  private async lease(gateway: GatewayEntity, max: number): Promise<{ epoch: number; rows: LeasedRow[] }> {
    const now = this.clock.now();
    const env = gateway.environment;
    const result = await this.dataSource.transaction(async (manager) => {
      const state = await this.failover.lockShared(manager, gateway.organizationId, env);
      const refusal = this.failover.refusal(gateway, state);
      if (refusal) throw refusal;
      // Leases that ran out: back to the queue, or failed after the last attempt.
      const [expired] = (await manager.query(
        `UPDATE "gateway_tasks"
            SET "status" = CASE WHEN "attempt" >= $4 THEN 'failed' ELSE 'queued' END,
                "error_code" = CASE WHEN "attempt" >= $4 THEN 'max_attempts_exceeded' ELSE "error_code" END,
                "finished_at" = CASE WHEN "attempt" >= $4 THEN $3::timestamptz ELSE NULL END,
                "leased_by_gateway_id" = NULL, "lease_epoch" = NULL, "leased_at" = NULL, "lease_expires_at" = NULL
          WHERE "organization_id" = $1 AND "environment" = $2 AND "status" = 'leased' AND "lease_expires_at" <= $3
          RETURNING "status"`,
        [gateway.organizationId, env, now, this.config.GATEWAY_TASK_MAX_ATTEMPTS],
      )) as [{ status: string }[], number];
      const [rows] = (await manager.query(
        `UPDATE "gateway_tasks"
            SET "status" = 'leased', "attempt" = "attempt" + 1, "leased_by_gateway_id" = $3, "lease_epoch" = $4,
                "leased_at" = $5, "lease_expires_at" = $6
          WHERE "id" IN (
            SELECT "id" FROM "gateway_tasks"
             WHERE "organization_id" = $1 AND "environment" = $2 AND "status" = 'queued'
             ORDER BY "created_at", "id" LIMIT $7 FOR UPDATE SKIP LOCKED)
          RETURNING "id", "idempotency_key", "kind", "params", "attempt", "lease_epoch", "created_at"`,
        [
          gateway.organizationId,
          env,
          gateway.id,
          state.epoch,
          now,
          new Date(now.getTime() + this.config.GATEWAY_TASK_LEASE_SECONDS * 1000),
          max,
        ],
      )) as [LeasedRow[], number];
      return { epoch: state.epoch, rows, expired };
    });
    this.metrics.taskTransition(env, 'failed', result.expired.filter((r) => r.status === 'failed').length);
    this.metrics.taskTransition(env, 'leased', result.rows.length);
    result.rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    return { epoch: result.epoch, rows: result.rows };
  }

  /**
   * The leased rows as the gateway receives them. A task about a project environment is delivered
   * only while that environment is still classified for the gateway's environment (else it fails with
   * `environment_not_classified_for_gateway` and is never delivered); a sync-secrets task carries the
   * environment's current secrets, resolved now and never stored with the task.
   */
  private async deliverable(gateway: GatewayEntity, rows: LeasedRow[]): Promise<GatewayTask[]> {
    const tasks: GatewayTask[] = [];
    // One answer carries at most GATEWAY_SYNC_MAX_BYTES of secrets: a sync beyond it waits for the next poll.
    let budget = this.config.GATEWAY_SYNC_MAX_BYTES;
    for (const row of rows) {
      const params = row.params;
      const task: GatewayTask = {
        taskId: row.id,
        idempotencyKey: row.idempotency_key,
        epoch: row.lease_epoch,
        attempt: row.attempt,
        issuedAt: new Date(row.created_at).toISOString(),
        params,
      };
      if (params.kind !== 'ping') {
        const scope = {
          organizationId: gateway.organizationId,
          projectId: params.projectId,
          environmentId: params.environmentId,
        };
        const vaultNamespace = await this.scopes.vaultNamespaceIfServedBy(scope, gateway.environment);
        if (!vaultNamespace) {
          await this.fail(gateway, row, 'environment_not_classified_for_gateway');
          continue;
        }
        task.vaultNamespace = vaultNamespace;
        if (params.kind === 'sync-secrets') {
          try {
            task.secrets = await this.scopes.currentSecrets(scope, this.config.GATEWAY_SYNC_MAX_BYTES);
          } catch (error) {
            const code = error instanceof ProblemException ? error.code : 'secret_resolution_failed';
            this.logger.warn(`gateway task ${row.id}: its secrets could not be resolved (${code})`);
            await this.fail(gateway, row, code);
            continue;
          }
          const weight = task.secrets.reduce((sum, secret) => sum + syncBytes(secret), 0);
          if (weight > budget && tasks.length > 0) {
            await this.release(gateway, row);
            continue;
          }
          budget -= weight;
        }
      }
      tasks.push(task);
    }
    return tasks;
  }

  /** Back to the queue untouched (not an attempt): the answer has no room left for it. */
  private async release(gateway: GatewayEntity, row: LeasedRow): Promise<void> {
    await this.dataSource.query(
      `UPDATE "gateway_tasks"
          SET "status" = 'queued', "attempt" = "attempt" - 1, "leased_by_gateway_id" = NULL, "lease_epoch" = NULL,
              "leased_at" = NULL, "lease_expires_at" = NULL
        WHERE "id" = $1 AND "leased_by_gateway_id" = $2 AND "status" = 'leased'`,
      [row.id, gateway.id],
    );
  }

  private async fail(gateway: GatewayEntity, row: LeasedRow, code: string): Promise<void> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE "gateway_tasks" SET "status" = 'failed', "error_code" = $3, "finished_at" = $4
        WHERE "id" = $1 AND "leased_by_gateway_id" = $2 AND "status" = 'leased'`,
      [row.id, gateway.id, code, this.clock.now()],
    )) as [unknown, number];
    if (affected) this.metrics.taskTransition(gateway.environment, 'failed');
  }
}
