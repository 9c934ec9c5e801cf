import type { GatewayTaskKind } from '@mazevault/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PrimaryCircuitState } from '../primary/primary-circuit';

/** Where the gauges read the gateway's state at scrape time. */
export interface GatewayStateSources {
  heartbeatFailures(): number;
  circuitState(): PrimaryCircuitState;
  certificateNotAfter(): Date;
  writeQueueSize(): number;
}

const CIRCUIT_VALUE: Record<PrimaryCircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };
const DAY_MS = 86_400_000;

/**
 * The gateway's own series (seed §10.2 with its alert thresholds): heartbeat failures (> 3), write
 * queue size (> 1000), the breaker (open), Key Vault 403s (any), days to the mTLS certificate's
 * expiry (< 30), and tasks by kind and status.
 */
export class GatewayMetrics {
  readonly keyVaultAccessDenied: Counter;
  private readonly tasks: Counter<'kind' | 'status'>;
  private sources: GatewayStateSources | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    const gauge = (name: string, help: string, read: (s: GatewayStateSources) => number) => {
      const sources = () => this.sources;
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const s = sources();
          if (s) this.set(read(s));
        },
      });
    };
    gauge(
      'mazevault_gateway_heartbeat_consecutive_failures',
      'Heartbeats to the Primary that failed in a row (alert above 3).',
      (s) => s.heartbeatFailures(),
    );
    gauge(
      'mazevault_gateway_circuit_breaker_state',
      "The gateway's breaker on the Primary: 0 closed, 1 half-open, 2 open.",
      (s) => CIRCUIT_VALUE[s.circuitState()],
    );
    gauge(
      'mazevault_gateway_certificate_expiry_days',
      "Days until the gateway's mTLS client certificate expires (alert below 30).",
      (s) => (s.certificateNotAfter().getTime() - Date.now()) / DAY_MS,
    );
    gauge(
      'mazevault_gateway_write_queue_size',
      'Writes waiting for the Primary (the data plane; alert above 1000).',
      (s) => s.writeQueueSize(),
    );
    this.keyVaultAccessDenied = new Counter({
      name: 'mazevault_gateway_keyvault_access_denied_total',
      help: 'Key Vault answered 403 (the Managed Identity lacks a role): alert on any.',
      registers,
    });
    this.tasks = new Counter({
      name: 'mazevault_gateway_tasks_total',
      help: 'Tasks this gateway finished, by kind and status (succeeded, failed, duplicate).',
      labelNames: ['kind', 'status'],
      registers,
    });
  }

  /** Attaches the live state the gauges report (once the loops exist). */
  observe(sources: GatewayStateSources): void {
    this.sources = sources;
  }

  task(kind: GatewayTaskKind, status: 'succeeded' | 'failed' | 'duplicate'): void {
    this.tasks.inc({ kind, status });
  }
}
