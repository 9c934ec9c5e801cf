import { Inject, Injectable } from '@nestjs/common';
import type {
  GatewayTaskOutput,
  GatewayTaskParams,
  GatewayTaskResult,
  GatewayTaskResultAck,
} from '@mazevault/contracts';
import { type GatewayEntity, GatewayTaskEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SecretsService } from '../secrets/secrets.service';
import { GatewayFailoverService } from './gateway-failover.service';
import { GatewayMetricsService } from './gateway-metrics.service';
import { GatewayTaskScopeService } from './gateway-task-scope.service';

/**
 * Task results from gateways. Accepted only from the active gateway, at the environment's current
 * epoch, for a task it holds the lease of (else 409 `gateway_fenced` / `task_not_leased`). A result
 * for a task already finished (a redelivery reported twice) is acknowledged as a duplicate and applies
 * nothing. The task row is locked for the whole of it, so two copies of one result serialize: the
 * second sees the first's finish. A rotate-vault-secret's new value becomes the secret's next version
 * on the Primary (audited without the value); only a summary is kept with the task.
 */
@Injectable()
export class GatewayTaskResultsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly failover: GatewayFailoverService,
    private readonly scopes: GatewayTaskScopeService,
    private readonly secrets: SecretsService,
    private readonly audit: AuditService,
    private readonly metrics: GatewayMetricsService,
  ) {}

  async report(
    gateway: GatewayEntity,
    result: GatewayTaskResult,
    requestId: string | null,
  ): Promise<GatewayTaskResultAck> {
    const finished = await this.dataSource.transaction(async (manager) => {
      const state = await this.failover.lockShared(manager, gateway.organizationId, gateway.environment);
      const refusal = this.failover.refusal(gateway, state);
      if (refusal) throw refusal;
      if (result.epoch !== state.epoch)
        throw new ProblemException(
          409,
          'gateway_fenced',
          `Epoch ${result.epoch} is no longer current for ${gateway.environment} (now ${state.epoch})`,
        );
      const task = await manager.findOne(GatewayTaskEntity, {
        where: {
          id: result.taskId,
          organizationId: gateway.organizationId,
          environment: gateway.environment,
        },
        lock: { mode: 'pessimistic_write' },
      });
      if (!task) throw new ProblemException(404, 'gateway_task_not_found', 'No such gateway task');
      if (task.idempotencyKey !== result.idempotencyKey)
        throw new ProblemException(409, 'idempotency_key_mismatch', "The idempotency key is not this task's");
      if (task.status === 'succeeded' || task.status === 'failed')
        return { ack: { taskId: task.id, status: task.status, duplicate: true }, task: null };
      if (
        task.status !== 'leased' ||
        task.leasedByGatewayId !== gateway.id ||
        task.leaseEpoch !== state.epoch
      )
        throw new ProblemException(
          409,
          'task_not_leased',
          'This gateway does not hold the lease of this task',
        );
      const outcome =
        result.status === 'succeeded'
          ? await this.apply(manager, gateway, task, result.output, requestId)
          : { status: 'failed' as const, errorCode: result.errorCode ?? 'task_failed', output: null };
      const now = this.clock.now();
      await manager.update(
        GatewayTaskEntity,
        { id: task.id },
        { status: outcome.status, errorCode: outcome.errorCode, output: outcome.output, finishedAt: now },
      );
      await this.audit.record(
        {
          organizationId: gateway.organizationId,
          actorType: 'gateway',
          actorId: gateway.id,
          action: 'gateway.task.finish',
          resourceType: 'gateway_task',
          resourceRef: task.id,
          outcome: outcome.status === 'succeeded' ? 'success' : 'failure',
          requestId,
          details: { kind: task.kind, attempt: task.attempt, errorCode: outcome.errorCode },
        },
        manager,
      );
      return { ack: { taskId: task.id, status: outcome.status, duplicate: false }, task };
    });
    if (finished.task) {
      const task = finished.task;
      this.metrics.taskTransition(task.environment, finished.ack.status);
      if (task.leasedAt)
        this.metrics.taskFinished(
          task.environment,
          task.kind,
          (this.clock.now().getTime() - task.leasedAt.getTime()) / 1000,
        );
    }
    return finished.ack;
  }

  /** Applies a successful task's output; what is kept is a summary without values. */
  private async apply(
    manager: EntityManager,
    gateway: GatewayEntity,
    task: GatewayTaskEntity,
    output: GatewayTaskOutput | undefined,
    requestId: string | null,
  ): Promise<{
    status: 'succeeded' | 'failed';
    errorCode: string | null;
    output: Record<string, string | number> | null;
  }> {
    const params = task.params as GatewayTaskParams;
    if (output && output.kind !== params.kind)
      throw new ProblemException(400, 'task_output_mismatch', `The output is not of a ${params.kind} task`);
    if (params.kind === 'ping') return { status: 'succeeded', errorCode: null, output: { kind: 'ping' } };
    if (params.kind === 'sync-secrets') {
      const summary = output?.kind === 'sync-secrets' ? output : null;
      if (!summary)
        throw new ProblemException(400, 'task_output_required', 'A sync-secrets result needs its output');
      return {
        status: 'succeeded',
        errorCode: null,
        output: { kind: summary.kind, written: summary.written, unchanged: summary.unchanged },
      };
    }
    const rotated = output?.kind === 'rotate-vault-secret' ? output : null;
    if (!rotated)
      throw new ProblemException(
        400,
        'task_output_required',
        'A rotate-vault-secret result needs its output',
      );
    const scope = {
      organizationId: gateway.organizationId,
      projectId: params.projectId,
      environmentId: params.environmentId,
    };
    // Classified away from this gateway since delivery: its value is not taken into the environment.
    if (!(await this.scopes.servedBy(gateway.organizationId, scope, gateway.environment)))
      return { status: 'failed', errorCode: 'environment_not_classified_for_gateway', output: null };
    // The secrets service writes in its own transaction while this one holds the task row: a copy of
    // this result waits here and then finds the task finished. (Only a crash between that commit and
    // this one could let a redelivery write a second version: at least once, never silently lost.)
    let version: number;
    try {
      ({ version } = await this.secrets.write(scope, params.path, rotated.value));
    } catch (error) {
      if (error instanceof ProblemException) return { status: 'failed', errorCode: error.code, output: null };
      throw error;
    }
    await this.audit.record(
      {
        organizationId: gateway.organizationId,
        actorType: 'gateway',
        actorId: gateway.id,
        action: 'secret.write',
        resourceType: 'secret',
        resourceRef: params.path,
        outcome: 'success',
        requestId,
        details: {
          projectId: params.projectId,
          environmentId: params.environmentId,
          version,
          gatewayTaskId: task.id,
          via: 'rotate-vault-secret',
        },
      },
      manager,
    );
    return {
      status: 'succeeded',
      errorCode: null,
      output: { kind: rotated.kind, secretVersion: version, keyVaultVersion: rotated.keyVaultVersion },
    };
  }
}
