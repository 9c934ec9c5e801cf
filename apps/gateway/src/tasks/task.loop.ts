import {
  type GatewayTask,
  type GatewayTaskResult,
  GatewayPollTasksResponseSchema,
  GatewayTaskResultAckSchema,
  GatewayTaskResultSchema,
} from '@mazevault/contracts';
import type { Logger } from 'pino';
import type { PrimaryAnswer } from '../primary/primary-client';
import type { TaskLease } from './task-lease';

export const POLL_PATH = '/api/v1/gateway/tasks/poll';
export const RESULT_PATH = '/api/v1/gateway/tasks/result';

/** The part of PrimaryClient the loop uses (every call goes through its breaker). */
export interface PrimaryPoster {
  post<T>(path: string, body: unknown, options?: { timeoutMs?: number }): Promise<PrimaryAnswer<T>>;
}

export interface TaskLoopOptions {
  /** Long-poll wait the Primary may hold a poll for. */
  waitSeconds: number;
  /** Bound on a call beyond the wait. */
  timeoutMs: number;
  /** Tasks asked for per poll. */
  maxTasks: number;
  /** Pause after a failed poll, or while another replica holds the lease. */
  retryDelayMs: number;
}

/**
 * Polls the Primary for tasks while — and only while — the Primary says this gateway is its
 * environment's active one (the heartbeat's ack: a dr-standby stays idle until activate-dr), and
 * while this replica holds the lease. Each task runs through the executor (at most once per
 * idempotency key) and its result goes back with the task's epoch; a result the Primary does not
 * take is redelivered later and answered from the task log.
 */
export class TaskLoop {
  private active = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** Tasks being run and reported: stop() waits for them, not for a long poll in flight. */
  private executing: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly primary: PrimaryPoster,
    private readonly executor: { execute(task: GatewayTask): Promise<GatewayTaskResult> },
    private readonly lease: TaskLease,
    private readonly options: TaskLoopOptions,
    private readonly logger: Logger,
  ) {}

  get polling(): boolean {
    return this.running !== undefined;
  }

  /** From each heartbeat's answer: start polling when active, stop (after the poll in flight) when not. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active && !this.stopped) {
      this.logger.info('Task polling started: this gateway is active for its environment');
      this.running ??= this.loop().finally(() => (this.running = undefined));
    } else if (!active) {
      this.logger.info('Task polling stopped: this gateway is not active for its environment');
      this.wake?.();
    }
  }

  /**
   * Stops polling. Tasks in progress finish and are reported; a long poll in flight is abandoned (what
   * it would have delivered is redelivered by the Primary), so shutdown never waits out its wait.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.active = false;
    this.wake?.();
    await this.executing;
    await this.lease.release(); // another replica may take over at once
  }

  private async loop(): Promise<void> {
    try {
      while (this.active && !this.stopped) {
        if (!(await this.lease.acquire())) {
          await this.pause();
          continue;
        }
        if (!(await this.pollOnce())) await this.pause();
      }
    } finally {
      await this.lease.release();
    }
  }

  /** One poll and its tasks; false when the poll failed (the caller pauses before the next). */
  private async pollOnce(): Promise<boolean> {
    let tasks: GatewayTask[];
    try {
      const answer = await this.primary.post<unknown>(
        POLL_PATH,
        { max: this.options.maxTasks, waitSeconds: this.options.waitSeconds },
        { timeoutMs: this.options.waitSeconds * 1000 + this.options.timeoutMs },
      );
      if (!ok(answer.status)) {
        this.logger.warn(`task poll refused: ${answer.status} ${problemCode(answer.body)}`);
        return false;
      }
      const parsed = GatewayPollTasksResponseSchema.safeParse(answer.body);
      if (!parsed.success) {
        this.logger.warn('task poll answer does not match the protocol: ignored');
        return false;
      }
      tasks = parsed.data.tasks;
    } catch (error) {
      this.logger.warn(`task poll failed: ${(error as Error).message}`);
      return false;
    }
    if (this.stopped) return true;
    this.executing = this.runAll(tasks).finally(() => (this.executing = undefined));
    await this.executing;
    return true;
  }

  private async runAll(tasks: readonly GatewayTask[]): Promise<void> {
    for (const task of tasks) {
      try {
        await this.report(await this.executor.execute(task));
      } catch (error) {
        // Not recorded or not reported: the Primary redelivers it, and the task log answers.
        this.logger.warn({ taskId: task.taskId }, `task not completed: ${(error as Error).message}`);
      }
    }
  }

  private async report(result: GatewayTaskResult): Promise<void> {
    // Checked against the protocol before it leaves: a malformed result is a bug here, not there.
    const answer = await this.primary.post<unknown>(RESULT_PATH, GatewayTaskResultSchema.parse(result));
    if (!ok(answer.status)) {
      this.logger.warn(
        { taskId: result.taskId },
        `task result refused: ${answer.status} ${problemCode(answer.body)}`,
      );
      return;
    }
    const ack = GatewayTaskResultAckSchema.safeParse(answer.body);
    if (ack.success && ack.data.duplicate)
      this.logger.info({ taskId: result.taskId }, 'task result was already recorded by the Primary');
  }

  /** Waits `retryDelayMs`, or less when stop() or setActive(false) wakes it. */
  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.retryDelayMs);
      this.wake = done;
    });
  }
}

const ok = (status: number) => status >= 200 && status < 300;

function problemCode(body: unknown): string {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : '';
}
