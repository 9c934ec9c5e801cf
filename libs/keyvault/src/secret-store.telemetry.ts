import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { AuthenticationError, SecretNotFoundError, TimeoutError } from './secret-store.errors';

/**
 * Tracing and metrics for secret-store operations: one CLIENT span per operation named
 * `<provider>.<operation>` (e.g. `azure.get_secret`) with `secret.name` and `secret.version`
 * (`latest` when unpinned), and Prometheus series labelled by provider, operation and outcome.
 * Values never reach either: only names, versions, outcomes and durations.
 */
export type SecretOperation =
  | 'get_secret'
  | 'create_secret'
  | 'update_secret'
  | 'delete_secret'
  | 'list_secrets'
  | 'read_secret_metadata'
  | 'update_custom_metadata';

export type OperationOutcome = 'success' | 'not_found' | 'auth_error' | 'timeout' | 'error';

export interface SecretStoreTelemetryOptions {
  /** Where the metrics are registered (the app's registry; a fresh one in tests). */
  registry?: Registry;
  /** Defaults to the global tracer provider's `@mazevault/keyvault` tracer. */
  tracer?: Tracer;
}

export function outcomeOf(error: unknown): OperationOutcome {
  if (error === undefined) return 'success';
  if (error instanceof SecretNotFoundError) return 'not_found';
  if (error instanceof AuthenticationError) return 'auth_error';
  if (error instanceof TimeoutError) return 'timeout';
  return 'error';
}

/** prom-client throws on duplicate registration: reuse the metric when another store registered it. */
function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export class SecretStoreTelemetry {
  private readonly tracer: Tracer;
  private readonly operations?: Counter<'provider' | 'operation' | 'outcome'>;
  private readonly duration?: Histogram<'provider' | 'operation' | 'outcome'>;
  private readonly forbidden?: Counter<'provider' | 'operation'>;
  private readonly retries?: Counter<'provider'>;
  private readonly breakerState?: Gauge<'provider'>;

  constructor(
    private readonly provider: string,
    options: SecretStoreTelemetryOptions = {},
  ) {
    this.tracer = options.tracer ?? trace.getTracer('@mazevault/keyvault');
    const registry = options.registry;
    if (!registry) return;
    const registers = [registry];
    this.operations = metric(
      registry,
      'mazevault_secret_store_operations_total',
      () =>
        new Counter({
          name: 'mazevault_secret_store_operations_total',
          help: 'Secret store operations by provider, operation and outcome.',
          labelNames: ['provider', 'operation', 'outcome'],
          registers,
        }),
    );
    this.duration = metric(
      registry,
      'mazevault_secret_store_operation_duration_seconds',
      () =>
        new Histogram({
          name: 'mazevault_secret_store_operation_duration_seconds',
          help: 'Secret store operation latency, retries included.',
          labelNames: ['provider', 'operation', 'outcome'],
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    );
    this.forbidden = metric(
      registry,
      'mazevault_secret_store_forbidden_total',
      () =>
        new Counter({
          name: 'mazevault_secret_store_forbidden_total',
          help: 'Provider answers 403 (missing permission / RBAC): alert on any increase.',
          labelNames: ['provider', 'operation'],
          registers,
        }),
    );
    this.retries = metric(
      registry,
      'mazevault_secret_store_retries_total',
      () =>
        new Counter({
          name: 'mazevault_secret_store_retries_total',
          help: 'Retried provider calls.',
          labelNames: ['provider'],
          registers,
        }),
    );
    this.breakerState = metric(
      registry,
      'mazevault_secret_store_circuit_open',
      () =>
        new Gauge({
          name: 'mazevault_secret_store_circuit_open',
          help: '1 while the circuit breaker is open or half-open.',
          labelNames: ['provider'],
          registers,
        }),
    );
  }

  recordRetry(): void {
    this.retries?.inc({ provider: this.provider });
  }

  recordBreakerState(state: 'open' | 'half-open' | 'closed'): void {
    this.breakerState?.set({ provider: this.provider }, state === 'closed' ? 0 : 1);
  }

  /** Runs `fn` inside the operation's span and records its outcome. */
  async run<T>(
    operation: SecretOperation,
    attrs: { name?: string; version?: string },
    fn: () => Promise<T>,
  ): Promise<T> {
    const attributes: Record<string, string> = { 'secret.provider': this.provider };
    if (attrs.name !== undefined) {
      attributes['secret.name'] = attrs.name;
      attributes['secret.version'] = attrs.version ?? 'latest';
    }
    const span = this.tracer.startSpan(`${this.provider}.${operation}`, {
      kind: SpanKind.CLIENT,
      attributes,
    });
    const started = process.hrtime.bigint();
    let error: unknown;
    try {
      return await context.with(trace.setSpan(context.active(), span), fn);
    } catch (e) {
      error = e;
      throw e;
    } finally {
      const outcome = outcomeOf(error);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.operations?.inc({ provider: this.provider, operation, outcome });
      this.duration?.observe({ provider: this.provider, operation, outcome }, seconds);
      const status = (error as { providerStatus?: number } | undefined)?.providerStatus;
      if (status === 403) this.forbidden?.inc({ provider: this.provider, operation });
      span.setAttribute('secret.outcome', outcome);
      if (error !== undefined) {
        const e = error as Error;
        span.setAttribute('error.type', e.name ?? 'Error');
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        // Not-found is an expected answer, not a failure of the call.
        if (outcome !== 'not_found') span.setStatus({ code: SpanStatusCode.ERROR, message: e.name });
      }
      span.end();
    }
  }
}
