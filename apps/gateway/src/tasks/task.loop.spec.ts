import type { GatewayTask, GatewayTaskResult } from '@mazevault/contracts';
import pino from 'pino';
import type { PrimaryAnswer } from '../primary/primary-client';
import type { TaskLease } from './task-lease';
import { POLL_PATH, RESULT_PATH, TaskLoop } from './task.loop';

const logger = pino({ level: 'silent' });

const task = (n: number, epoch = 4): GatewayTask => ({
  taskId: `00000000-0000-4000-8000-00000000000${n}`,
  idempotencyKey: `task-${n}`,
  epoch,
  attempt: 1,
  issuedAt: new Date().toISOString(),
  params: { kind: 'ping' },
});

/** A fake Primary (a unit test of the loop's decisions): answers polls from a queue. */
class FakePrimary {
  readonly calls: { path: string; body: unknown; timeoutMs?: number }[] = [];
  readonly results: GatewayTaskResult[] = [];
  private queue: GatewayTask[][] = [];
  pollStatus = 200;

  offer(...tasks: GatewayTask[]): void {
    this.queue.push(tasks);
  }

  polls(): number {
    return this.calls.filter((c) => c.path === POLL_PATH).length;
  }

  async post<T>(path: string, body: unknown, options?: { timeoutMs?: number }): Promise<PrimaryAnswer<T>> {
    this.calls.push({
      path,
      body,
      ...(options?.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
    if (path === RESULT_PATH) {
      const result = body as GatewayTaskResult;
      this.results.push(result);
      return { status: 200, body: { taskId: result.taskId, status: result.status, duplicate: false } as T };
    }
    await new Promise((r) => setTimeout(r, 5)); // a (very short) long poll
    if (this.pollStatus !== 200) return { status: this.pollStatus, body: { code: 'gateway_fenced' } as T };
    return { status: 200, body: { epoch: 4, tasks: this.queue.shift() ?? [] } as T };
  }
}

const executor = {
  execute: jest.fn(async (t: GatewayTask): Promise<GatewayTaskResult> => ({
    taskId: t.taskId,
    idempotencyKey: t.idempotencyKey,
    epoch: t.epoch,
    status: 'succeeded',
    finishedAt: new Date().toISOString(),
    output: { kind: 'ping' },
  })),
};

const until = async (what: string, probe: () => boolean) => {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!probe()) throw new Error(`timed out waiting for ${what}`);
};

const options = { waitSeconds: 20, timeoutMs: 5000, maxTasks: 10, retryDelayMs: 10 };

describe('TaskLoop', () => {
  beforeEach(() => executor.execute.mockClear());

  it('never polls until the heartbeat says the gateway is active (a dr-standby stays idle)', async () => {
    const primary = new FakePrimary();
    const loop = new TaskLoop(
      primary,
      executor,
      { acquire: async () => true, release: async () => undefined },
      options,
      logger,
    );
    await new Promise((r) => setTimeout(r, 50));
    loop.setActive(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(primary.polls()).toBe(0);
    expect(loop.polling).toBe(false);

    loop.setActive(true);
    await until('a poll', () => primary.polls() > 0);
    expect(primary.calls[0]).toEqual({
      path: POLL_PATH,
      body: { max: 10, waitSeconds: 20 },
      timeoutMs: 25_000,
    });
    await loop.stop();
  });

  it('runs each polled task and reports it with the task epoch and idempotency key, then stops when inactive', async () => {
    const primary = new FakePrimary();
    primary.offer(task(1, 4), task(2, 5));
    const loop = new TaskLoop(
      primary,
      executor,
      { acquire: async () => true, release: async () => undefined },
      options,
      logger,
    );
    loop.setActive(true);
    await until('two results', () => primary.results.length === 2);
    expect(primary.results.map((r) => [r.taskId, r.idempotencyKey, r.epoch])).toEqual([
      [task(1).taskId, 'task-1', 4],
      [task(2).taskId, 'task-2', 5],
    ]);

    loop.setActive(false);
    await until('the loop to end', () => !loop.polling);
    const polls = primary.polls();
    await new Promise((r) => setTimeout(r, 50));
    expect(primary.polls()).toBe(polls);
    await loop.stop();
  });

  it('polls only while this replica holds the lease, and releases it when it stops', async () => {
    const primary = new FakePrimary();
    let held = false;
    const release = jest.fn(async () => undefined);
    const lease: TaskLease = { acquire: async () => held, release };
    const loop = new TaskLoop(primary, executor, lease, options, logger);
    loop.setActive(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(primary.polls()).toBe(0);
    held = true;
    await until('a poll once the lease is held', () => primary.polls() > 0);
    await loop.stop();
    expect(release).toHaveBeenCalled();
  });

  it('keeps going after a refused poll and a failing task, without reporting what did not finish', async () => {
    const primary = new FakePrimary();
    primary.pollStatus = 409;
    const failing = { execute: jest.fn(async () => Promise.reject(new Error('database down'))) };
    const loop = new TaskLoop(
      primary,
      failing,
      { acquire: async () => true, release: async () => undefined },
      options,
      logger,
    );
    loop.setActive(true);
    await until('two refused polls', () => primary.polls() >= 2);
    primary.pollStatus = 200;
    primary.offer(task(3));
    await until('the task to be tried', () => failing.execute.mock.calls.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(primary.results).toEqual([]);
    await loop.stop();
  });

  it('stops without waiting out a long poll, but lets the tasks in progress finish and be reported', async () => {
    const primary = new FakePrimary();
    const post = primary.post.bind(primary);
    const hangingPoll = new Promise<never>(() => undefined);
    primary.post = async <T>(path: string, body: unknown, opts?: { timeoutMs?: number }) => {
      const answer = post<T>(path, body, opts);
      if (path === POLL_PATH && primary.polls() > 1) await hangingPoll; // a long poll that never ends
      return answer;
    };
    primary.offer(task(4));
    let started = false;
    let finishTask: () => void = () => undefined;
    const slowExecutor = {
      execute: async (t: GatewayTask) => {
        started = true;
        await new Promise<void>((r) => (finishTask = r));
        return executor.execute(t);
      },
    };
    const loop = new TaskLoop(
      primary,
      slowExecutor,
      { acquire: async () => true, release: async () => undefined },
      options,
      logger,
    );
    loop.setActive(true);
    await until('the task to start', () => started);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false); // the task in progress is finished first
    finishTask();
    await stopping;
    expect(primary.results.map((r) => r.idempotencyKey)).toEqual(['task-4']);

    // Stopping while only a long poll is in flight returns at once.
    const idle = new FakePrimary();
    const idlePost = idle.post.bind(idle);
    idle.post = async <T>(path: string, body: unknown, opts?: { timeoutMs?: number }) => {
      const answer = idlePost<T>(path, body, opts);
      await hangingPoll;
      return answer;
    };
    const idleLoop = new TaskLoop(
      idle,
      executor,
      { acquire: async () => true, release: async () => undefined },
      options,
      logger,
    );
    idleLoop.setActive(true);
    await until('the long poll', () => idle.polls() === 1);
    await idleLoop.stop();
  });
});
