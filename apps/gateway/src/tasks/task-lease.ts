import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** Whether this replica may poll for its gateway's tasks now. */
export interface TaskLease {
  /** Takes or keeps the lease; false while another replica holds it (or it cannot be proven). */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** One replica (no Redis): it always holds the lease. */
export const SOLE_REPLICA_LEASE: TaskLease = {
  acquire: async () => true,
  release: async () => undefined,
};

// Compare-and-act on the holder's token, so a replica whose lease expired cannot extend or drop
// the lease another replica has taken since.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lease in Redis (SET NX PX, renewed while held) so that of several replicas of one gateway only
 * one polls at a time. A replica that cannot reach Redis does not poll: two pollers would only cost
 * idempotent redeliveries, but not knowing is treated as not holding (default deny).
 */
export class RedisTaskLease implements TaskLease {
  private readonly token = randomUUID();
  private held = false;
  private renewer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(): Promise<boolean> {
    try {
      if (this.held) {
        this.held = (await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs))) === 1;
      } else {
        this.held = (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
      }
    } catch {
      this.held = false;
    }
    this.schedule();
    return this.held;
  }

  async release(): Promise<void> {
    clearInterval(this.renewer);
    this.renewer = undefined;
    if (!this.held) return;
    this.held = false;
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => undefined);
  }

  /** While held, renew at a third of the TTL: a long poll or a slow task never outlives the lease. */
  private schedule(): void {
    if (this.held && !this.renewer) {
      this.renewer = setInterval(() => void this.acquire(), Math.max(100, Math.floor(this.ttlMs / 3)));
      this.renewer.unref();
    } else if (!this.held && this.renewer) {
      clearInterval(this.renewer);
      this.renewer = undefined;
    }
  }
}
