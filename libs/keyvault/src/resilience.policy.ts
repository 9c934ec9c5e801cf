import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { z } from 'zod';

/**
 * Resilience around every provider call: per-attempt timeout, retries with exponential backoff and
 * jitter (honouring `Retry-After`), and a circuit breaker shared by all operations of a store, so a
 * vault that is down fails fast instead of piling up 30-second timeouts.
 *
 * Config keys use the snake_case names of the deployment configuration.
 */
export const resilienceConfigSchema = z.object({
  timeout_s: z.number().positive().default(30),
  max_retries: z.number().int().min(0).default(3),
  cb_failure_threshold: z.number().int().positive().default(5),
  cb_reset_timeout_s: z.number().positive().default(30),
  /** First backoff delay; later ones grow exponentially with decorrelated jitter up to `backoff_max_ms`. */
  backoff_initial_ms: z.number().int().positive().default(200),
  backoff_max_ms: z.number().int().positive().default(10_000),
  /** A `Retry-After` longer than this is not waited for (the call fails instead of hanging). */
  max_retry_after_s: z.number().positive().default(60),
});
export type ResilienceConfig = z.input<typeof resilienceConfigSchema>;
export type ResolvedResilienceConfig = z.output<typeof resilienceConfigSchema>;

/** What the policy needs to know about a provider error; supplied by each strategy. */
export interface ErrorClassifier {
  /** Worth another attempt: throttling, 5xx, network errors, timeouts. Never 401/403/404/409. */
  isTransient(error: unknown): boolean;
  /** Server-requested delay in ms (Retry-After), if any. */
  retryAfterMs(error: unknown): number | undefined;
}

export interface ResilienceEvents {
  onRetry?(attempt: number, delayMs: number): void;
  onBreakerStateChange?(state: 'open' | 'half-open' | 'closed'): void;
}

export function isTimeoutError(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

export function isCircuitOpenError(error: unknown): boolean {
  return error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError;
}

/** Exponential backoff with jitter, replaced by the server's Retry-After when one was sent. */
class RetryAfterAwareBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly exponential: IBackoffFactory<unknown>,
    private readonly classifier: ErrorClassifier,
    private readonly maxRetryAfterMs: number,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    return this.wrap(this.exponential.next(context), context);
  }

  private wrap(
    exp: IBackoff<unknown>,
    context: IRetryBackoffContext<unknown>,
  ): IBackoff<IRetryBackoffContext<unknown>> {
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = this.classifier.retryAfterMs(error);
    const duration = retryAfter !== undefined ? Math.min(retryAfter, this.maxRetryAfterMs) : exp.duration;
    return { duration, next: (ctx) => this.wrap(exp.next(ctx), ctx) };
  }
}

export class ResiliencePolicy {
  readonly config: ResolvedResilienceConfig;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: {
    execute<T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
  };

  constructor(config: ResilienceConfig, classifier: ErrorClassifier, events: ResilienceEvents = {}) {
    this.config = resilienceConfigSchema.parse(config);
    const c = this.config;
    // Only transient failures (and our own timeouts) count against the breaker: a 404 or 403 is a
    // healthy provider answering, and must not open the circuit for everybody else.
    const transient = handleWhen((e) => isTimeoutError(e) || classifier.isTransient(e));
    this.breaker = circuitBreaker(transient, {
      halfOpenAfter: c.cb_reset_timeout_s * 1000,
      breaker: new ConsecutiveBreaker(c.cb_failure_threshold),
    });
    this.breaker.onBreak(() => events.onBreakerStateChange?.('open'));
    this.breaker.onHalfOpen(() => events.onBreakerStateChange?.('half-open'));
    this.breaker.onReset(() => events.onBreakerStateChange?.('closed'));

    const retryPolicy = retry(transient, {
      maxAttempts: c.max_retries,
      backoff: new RetryAfterAwareBackoff(
        new ExponentialBackoff({ initialDelay: c.backoff_initial_ms, maxDelay: c.backoff_max_ms }),
        classifier,
        c.max_retry_after_s * 1000,
      ),
    });
    retryPolicy.onRetry((e) => events.onRetry?.(e.attempt, e.delay));
    // Aggressive: the timeout rejects at the deadline even if the SDK ignores the abort signal.
    const perAttemptTimeout = timeout(c.timeout_s * 1000, TimeoutStrategy.Aggressive);
    // Order: retry( breaker( timeout( call ) ) ): each attempt is timed and counted by the breaker,
    // and an open breaker (BrokenCircuitError, not transient) stops the retries at once.
    this.policy = wrap(retryPolicy, this.breaker, perAttemptTimeout);
  }

  /** Runs `fn` under the policy; `fn` receives an AbortSignal to pass to the SDK so timed-out requests are cancelled. */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.policy.execute(({ signal }) => fn(signal));
  }

  get circuitState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    return (['closed', 'open', 'half-open', 'isolated'] as const)[this.breaker.state] ?? 'closed';
  }
}
