import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';

export type PrimaryCircuitState = 'closed' | 'half-open' | 'open';

export interface PrimaryCircuitOptions {
  /** Consecutive failed calls that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before letting one trial call through (half-open). */
  halfOpenAfterMs: number;
  onStateChange?(state: PrimaryCircuitState): void;
}

/** Refused by the open breaker: the Primary was not contacted. */
export class PrimaryUnavailableError extends Error {
  override readonly name = 'PrimaryUnavailableError';
}

/**
 * The gateway's breaker on the Primary (cockatiel), shared by every call: a failure is a call that got
 * no answer (network, TLS, timeout) or a 5xx (a proxy or a Primary that cannot serve); a 4xx is the
 * Primary answering and counts as reachable. Its state and the failures in a row feed the heartbeat,
 * health and metrics.
 */
export class PrimaryCircuit {
  /** Failed calls since the last one that got an answer. */
  consecutiveFailures = 0;
  private readonly breaker: CircuitBreakerPolicy;

  constructor(options: PrimaryCircuitOptions) {
    this.breaker = circuitBreaker(
      handleWhen((e) => !(e instanceof BrokenCircuitError)).orWhenResult(isServerFailure),
      {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.failureThreshold),
      },
    );
    this.breaker.onBreak(() => options.onStateChange?.('open'));
    this.breaker.onHalfOpen(() => options.onStateChange?.('half-open'));
    this.breaker.onReset(() => options.onStateChange?.('closed'));
  }

  get state(): PrimaryCircuitState {
    // cockatiel's CircuitState: 0 closed, 1 open, 2 half-open, 3 isolated (manual; treated as open).
    return (['closed', 'open', 'half-open', 'open'] as const)[this.breaker.state] ?? 'open';
  }

  async execute<T extends { status: number }>(call: () => Promise<T>): Promise<T> {
    let answer: T;
    try {
      answer = await this.breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new PrimaryUnavailableError('the Primary is unreachable (circuit breaker open)');
      this.consecutiveFailures += 1;
      throw error;
    }
    this.consecutiveFailures = isServerFailure(answer) ? this.consecutiveFailures + 1 : 0;
    return answer;
  }
}

function isServerFailure(answer: unknown): boolean {
  const status = (answer as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' && status >= 500;
}
