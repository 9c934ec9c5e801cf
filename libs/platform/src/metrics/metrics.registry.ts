import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per process, with Node's default metrics and a `service` label on everything. */
export function createMetricsRegistry(service: string): { registry: Registry } {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return { registry };
}
