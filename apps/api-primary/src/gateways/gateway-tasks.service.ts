import { Inject, Injectable } from '@nestjs/common';
import type {
  CreateGatewayTaskRequest,
  GatewayEnvironment,
  GatewayTaskParams,
  GatewayTasksQuery,
  GatewayTaskView,
} from '@mazevault/contracts';
import { GatewayTaskEntity, isUniqueViolation } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { validateSecretPath } from '../secrets/secret-path.util';
import { GatewayMetricsService } from './gateway-metrics.service';
import { GatewayTaskScopeService } from './gateway-task-scope.service';

export interface TaskCreator {
  organizationId: string;
  /** `user:<id>` or `api_token:<id>`. */
  ref: string;
}

const notFound = () => new ProblemException(404, 'gateway_task_not_found', 'No such gateway task');

/**
 * Queueing gateway tasks (the admin API) and reading them back. A task about a project environment
 * goes to the gateway environment that environment is classified for (never one the caller names);
 * an unclassified environment gets no tasks (422). Creation is idempotent per organization and key:
 * the same key with the same parameters answers the existing task, with other parameters 409.
 */
@Injectable()
export class GatewayTasksService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly scopes: GatewayTaskScopeService,
    private readonly metrics: GatewayMetricsService,
  ) {}

  async create(
    creator: TaskCreator,
    request: CreateGatewayTaskRequest,
  ): Promise<{ task: GatewayTaskView; created: boolean }> {
    let environment: GatewayEnvironment;
    let params: GatewayTaskParams;
    if (request.kind === 'ping') {
      environment = request.environment;
      params = { kind: 'ping' };
    } else {
      const classified = await this.scopes.classification(
        creator.organizationId,
        request.projectId,
        request.environmentId,
      );
      if (!classified)
        throw new ProblemException(
          422,
          'environment_not_classified',
          'This environment is not classified for a gateway environment (NPR or PRO): no gateway may receive its secrets',
        );
      environment = classified;
      params =
        request.kind === 'sync-secrets'
          ? { kind: 'sync-secrets', projectId: request.projectId, environmentId: request.environmentId }
          : {
              kind: 'rotate-vault-secret',
              projectId: request.projectId,
              environmentId: request.environmentId,
              path: validateSecretPath(request.path),
            };
    }
    const idempotencyKey = request.idempotencyKey ?? `task-${randomUUID()}`;
    const repository = this.dataSource.getRepository(GatewayTaskEntity);
    try {
      const row = repository.create({
        id: randomUUID(),
        organizationId: creator.organizationId,
        environment,
        kind: params.kind,
        params,
        idempotencyKey,
        status: 'queued',
        attempt: 0,
        createdBy: creator.ref,
      });
      await repository.insert(row);
      this.metrics.taskTransition(environment, 'queued');
      return { task: await this.get(creator.organizationId, row.id), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await repository.findOneByOrFail({
        organizationId: creator.organizationId,
        idempotencyKey,
      });
      if (existing.environment !== environment || !isDeepStrictEqual(existing.params, params))
        throw new ProblemException(
          409,
          'idempotency_key_reused',
          'This idempotency key was used for a different task',
        );
      return { task: taskView(existing), created: false };
    }
  }

  async get(organizationId: string, id: string): Promise<GatewayTaskView> {
    const row = await this.dataSource.getRepository(GatewayTaskEntity).findOneBy({ id, organizationId });
    if (!row) throw notFound();
    return taskView(row);
  }

  async list(organizationId: string, query: GatewayTasksQuery): Promise<{ tasks: GatewayTaskView[] }> {
    const rows = await this.dataSource.getRepository(GatewayTaskEntity).find({
      where: {
        organizationId,
        ...(query.status ? { status: query.status } : {}),
        ...(query.environment ? { environment: query.environment } : {}),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
    });
    return { tasks: rows.map(taskView) };
  }

  /** The project/environment a task is about (for the permission check of reading it); {} for a ping or none. */
  async scopeOf(organizationId: string, id: string): Promise<{ projectId?: string; environmentId?: string }> {
    const row = await this.dataSource.getRepository(GatewayTaskEntity).findOneBy({ id, organizationId });
    const params = (row?.params ?? {}) as { projectId?: string; environmentId?: string };
    return params.projectId ? { projectId: params.projectId, environmentId: params.environmentId } : {};
  }
}

export function taskView(row: GatewayTaskEntity): GatewayTaskView {
  return {
    id: row.id,
    kind: row.kind,
    environment: row.environment,
    params: row.params,
    idempotencyKey: row.idempotencyKey,
    status: row.status,
    attempt: row.attempt,
    leasedByGatewayId: row.leasedByGatewayId,
    leaseEpoch: row.leaseEpoch,
    leaseExpiresAt: row.leaseExpiresAt?.toISOString() ?? null,
    errorCode: row.errorCode,
    output: row.output,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
