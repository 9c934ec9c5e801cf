import type { Redis } from 'ioredis';

const CHANNEL = 'mazevault:cache:invalidate';

export type InvalidationHandler = (key: string) => void;

/**
 * Tells every replica to drop an in-process cache entry (a revoked token's principal, a rewritten
 * secret's ciphertext). The replica making the change drops its own entry synchronously; the others
 * hear it within milliseconds, and every entry also has a short TTL, so a lost message costs at most
 * that TTL. Messages carry cache keys only: ids and digests, no values.
 *
 * An abstract class rather than an interface so it can serve as a dependency-injection token.
 */
export abstract class CacheInvalidationBus {
  /** `namespace` groups keys of one cache (e.g. `principal`, `secret`). */
  abstract on(namespace: string, handler: InvalidationHandler): void;
  abstract invalidate(namespace: string, key: string): Promise<void>;
}

export interface InvalidationBusLogger {
  warn(context: object, message: string): void;
}

/** The bus over Redis pub/sub: `start` subscribes (on a duplicate connection), `close` drops it. */
export class RedisCacheInvalidationBus extends CacheInvalidationBus {
  private readonly handlers = new Map<string, InvalidationHandler>();
  private subscriber: Redis | undefined;

  /** Under the deployment's key prefix: Redis does not prefix channels, and deployments may share it. */
  private readonly channel: string;

  constructor(
    private readonly redis: Redis,
    private readonly logger: InvalidationBusLogger,
  ) {
    super();
    this.channel = (redis.options.keyPrefix ?? '') + CHANNEL;
  }

  async start(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (error: unknown) =>
      this.logger.warn({ err: error }, 'cache invalidation subscriber error'),
    );
    this.subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    await this.subscriber.subscribe(this.channel);
  }

  close(): void {
    this.subscriber?.disconnect();
  }

  on(namespace: string, handler: InvalidationHandler): void {
    this.handlers.set(namespace, handler);
  }

  async invalidate(namespace: string, key: string): Promise<void> {
    this.handlers.get(namespace)?.(key);
    try {
      await this.redis.publish(this.channel, `${namespace}\u0000${key}`);
    } catch (error) {
      // Other replicas fall back to the TTL; the change itself has already committed.
      this.logger.warn({ err: error }, 'could not publish a cache invalidation');
    }
  }

  private dispatch(message: string): void {
    const separator = message.indexOf('\u0000');
    if (separator < 0) return;
    this.handlers.get(message.slice(0, separator))?.(message.slice(separator + 1));
  }
}
