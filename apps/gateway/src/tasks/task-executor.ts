import type { GatewayTask, GatewayTaskOutput, GatewayTaskResult } from '@mazevault/contracts';
import {
  AuthenticationError,
  InvalidSecretReferenceError,
  OperationError,
  SecretNotFoundError,
  type SecretStore,
  TimeoutError,
} from '@mazevault/keyvault';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway.metrics';
import { readVersion, rotateVaultSecret } from './runners/rotate-vault-secret.runner';
import { syncSecrets } from './runners/sync-secrets.runner';
import type { TaskLog, TaskLogEntry } from './task-log';

/** A task that cannot complete, with the stable code reported to the Primary. */
export class TaskFailure extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface Done {
  output: GatewayTaskOutput;
  /** What the task log keeps to re-report the outcome: never a secret value. */
  summary: Record<string, unknown>;
}

/**
 * Runs a task at most once per idempotency key: a key already done is answered from the task log
 * (a rotation's value re-read from Key Vault at the recorded version); otherwise the runner runs and
 * its outcome is recorded before it is reported. Results carry the task's own epoch and key.
 */
export class TaskExecutor {
  constructor(
    private readonly log: TaskLog,
    private readonly vault: SecretStore | undefined,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {}

  async execute(task: GatewayTask): Promise<GatewayTaskResult> {
    const kind = task.params.kind;
    const done = await this.log.find(task.idempotencyKey);
    if (done?.status === 'succeeded') {
      this.metrics.task(kind, 'duplicate');
      this.logger.info({ taskId: task.taskId, kind }, 'task already done: re-reporting its outcome');
      return this.replay(task, done);
    }
    const finishedAt = () => new Date();
    try {
      const { output, summary } = await this.run(task);
      const entry = this.entry(task, 'succeeded', null, summary, finishedAt());
      await this.log.record(entry);
      this.metrics.task(kind, 'succeeded');
      this.logger.info({ taskId: task.taskId, kind, ...safeSummary(summary) }, 'task succeeded');
      return this.result(task, entry, output);
    } catch (error) {
      const code = this.failureCode(error);
      const entry = this.entry(task, 'failed', code, null, finishedAt());
      await this.log.record(entry);
      this.metrics.task(kind, 'failed');
      this.logger.warn({ taskId: task.taskId, kind, errorCode: code }, `task failed: ${code}`);
      return this.result(task, entry);
    }
  }

  private async run(task: GatewayTask): Promise<Done> {
    const params = task.params;
    switch (params.kind) {
      case 'ping':
        return { output: { kind: 'ping' }, summary: {} };
      case 'sync-secrets': {
        if (!task.secrets) throw new TaskFailure('task_secrets_missing');
        const namespace = vaultNamespaceOf(task);
        const counts = await syncSecrets(
          this.requireVault(),
          task.secrets.map((secret) => ({ ...secret, path: `${namespace}/${secret.path}` })),
        );
        return { output: { kind: 'sync-secrets', ...counts }, summary: counts };
      }
      case 'rotate-vault-secret': {
        const rotation = await rotateVaultSecret(
          this.requireVault(),
          `${vaultNamespaceOf(task)}/${params.path}`,
          task.idempotencyKey,
        );
        return {
          output: { kind: 'rotate-vault-secret', ...rotation },
          summary: { path: params.path, keyVaultVersion: rotation.keyVaultVersion },
        };
      }
    }
  }

  /** The recorded outcome again; for a rotation the value is read from Key Vault at its version. */
  private async replay(task: GatewayTask, done: TaskLogEntry): Promise<GatewayTaskResult> {
    const summary = done.outputSummary ?? {};
    try {
      switch (task.params.kind) {
        case 'ping':
          return this.result(task, done, { kind: 'ping' });
        case 'sync-secrets':
          return this.result(task, done, {
            kind: 'sync-secrets',
            written: Number(summary['written'] ?? 0),
            unchanged: Number(summary['unchanged'] ?? 0),
          });
        case 'rotate-vault-secret': {
          const version = String(summary['keyVaultVersion']);
          const value = await readVersion(
            this.requireVault(),
            `${vaultNamespaceOf(task)}/${task.params.path}`,
            version,
          );
          return this.result(task, done, { kind: 'rotate-vault-secret', value, keyVaultVersion: version });
        }
      }
    } catch (error) {
      const code = this.failureCode(error);
      this.logger.warn({ taskId: task.taskId, errorCode: code }, `re-reporting a done task failed: ${code}`);
      return this.result(task, { ...done, status: 'failed', errorCode: code });
    }
  }

  private requireVault(): SecretStore {
    if (!this.vault) throw new TaskFailure('keyvault_not_configured');
    return this.vault;
  }

  /** A stable code for the Primary: never the SDK's message, which can echo request content. */
  private failureCode(error: unknown): string {
    if (error instanceof TaskFailure) return error.code;
    if (error instanceof AuthenticationError) {
      if (error.providerStatus === 403) {
        this.metrics.keyVaultAccessDenied.inc();
        return 'keyvault_access_denied';
      }
      return 'keyvault_unauthenticated';
    }
    if (error instanceof SecretNotFoundError) return 'keyvault_secret_not_found';
    if (error instanceof TimeoutError) return 'keyvault_unavailable';
    if (error instanceof InvalidSecretReferenceError) return 'keyvault_invalid_name';
    if (error instanceof OperationError) return 'keyvault_error';
    this.logger.error({ errorType: (error as Error)?.name }, 'task failed unexpectedly');
    return 'task_failed';
  }

  private entry(
    task: GatewayTask,
    status: 'succeeded' | 'failed',
    errorCode: string | null,
    outputSummary: Record<string, unknown> | null,
    finishedAt: Date,
  ): TaskLogEntry {
    return {
      idempotencyKey: task.idempotencyKey,
      taskId: task.taskId,
      kind: task.params.kind,
      status,
      errorCode,
      outputSummary,
      finishedAt,
    };
  }

  private result(task: GatewayTask, entry: TaskLogEntry, output?: GatewayTaskOutput): GatewayTaskResult {
    return {
      taskId: task.taskId,
      idempotencyKey: task.idempotencyKey,
      epoch: task.epoch,
      status: entry.status,
      finishedAt: entry.finishedAt.toISOString(),
      ...(entry.status === 'failed' && entry.errorCode ? { errorCode: entry.errorCode } : {}),
      ...(entry.status === 'succeeded' && output ? { output } : {}),
    };
  }
}

/** Counts and versions only: paths name secrets, and logs stay free of anything more. */
function safeSummary(summary: Record<string, unknown>): Record<string, unknown> {
  const { written, unchanged, keyVaultVersion } = summary;
  return Object.fromEntries(
    Object.entries({ written, unchanged, keyVaultVersion }).filter(([, v]) => v !== undefined),
  );
}

/**
 * Where the task's secrets live in the Project Key Vault: under `<project>/<environment>/` (the
 * Primary sends it), since one vault serves every environment of its NPR or PRO side.
 */
function vaultNamespaceOf(task: GatewayTask): string {
  if (!task.vaultNamespace) throw new TaskFailure('task_namespace_missing');
  return task.vaultNamespace;
}
