import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GATEWAY_ENVIRONMENTS } from '@mazevault/contracts';
import { METRICS_REGISTRY } from '@mazevault/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { GatewayHealthService } from './gateway-health.service';

const HEALTH = 'mazevault_gateway_health_score';
const AGE = 'mazevault_gateway_heartbeat_age_seconds';
const FAILOVER = 'mazevault_gateway_failover_active';
const TASKS = 'mazevault_gateway_tasks_total';
const DURATION = 'mazevault_gateway_task_duration_seconds';

/**
 * The Primary's gateway metrics. The gauges (health score, heartbeat age, failover) are computed from
 * the database at scrape time, so every replica reports the same truth; the task counter and the
 * duration histogram (lease to result) count what this replica did.
 */
@Injectable()
export class GatewayMetricsService implements OnModuleInit {
  private tasks!: Counter<'environment' | 'status'>;
  private duration!: Histogram<'environment' | 'kind'>;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly health: GatewayHealthService,
  ) {}

  onModuleInit(): void {
    const registry = this.registry;
    this.tasks =
      (registry.getSingleMetric(TASKS) as Counter<'environment' | 'status'> | undefined) ??
      new Counter({
        name: TASKS,
        help: 'Gateway task transitions by gateway environment and status (queued, leased, succeeded, failed)',
        labelNames: ['environment', 'status'] as const,
        registers: [registry],
      });
    this.duration =
      (registry.getSingleMetric(DURATION) as Histogram<'environment' | 'kind'> | undefined) ??
      new Histogram({
        name: DURATION,
        help: 'Gateway task execution time, from lease to result, in seconds',
        labelNames: ['environment', 'kind'] as const,
        buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
        registers: [registry],
      });
    if (registry.getSingleMetric(HEALTH)) return;
    const health = this.health;
    const dataSource = this.dataSource;
    // One query per scrape, shared by the two per-gateway gauges (both collect on the same scrape).
    let pending: Promise<Awaited<ReturnType<GatewayHealthService['all']>>> | null = null;
    const views = () => {
      pending ??= health.all().finally(() => setTimeout(() => (pending = null), 0));
      return pending;
    };
    // Gateway names are unique per organization only: the organization id keeps two tenants' series apart.
    const labels = ['organization', 'gateway', 'environment', 'role'] as const;
    const labelsOf = (g: { organizationId: string; name: string; environment: string; role: string }) => ({
      organization: g.organizationId,
      gateway: g.name,
      environment: g.environment,
      role: g.role,
    });
    new Gauge({
      name: HEALTH,
      help: 'Health score per gateway (0.0-1.0; formula in the README, Gateway section)',
      labelNames: labels,
      registers: [registry],
      async collect() {
        const rows = await views();
        this.reset();
        for (const g of rows) this.set(labelsOf(g), g.healthScore);
      },
    });
    new Gauge({
      name: AGE,
      help: 'Seconds since the last heartbeat per gateway (absent for a gateway never heard from)',
      labelNames: labels,
      registers: [registry],
      async collect() {
        const rows = await views();
        this.reset();
        for (const g of rows)
          if (g.heartbeatAgeSeconds !== null) this.set(labelsOf(g), g.heartbeatAgeSeconds);
      },
    });
    new Gauge({
      name: FAILOVER,
      help: '1 if DR is active for the gateway environment (in any organization), else 0',
      labelNames: ['environment'] as const,
      registers: [registry],
      async collect() {
        const rows = (await dataSource.query(
          `SELECT DISTINCT "environment" FROM "gateway_failover" WHERE "active_role" = 'dr-standby'`,
        )) as { environment: string }[];
        for (const environment of GATEWAY_ENVIRONMENTS)
          this.set({ environment }, rows.some((r) => r.environment === environment) ? 1 : 0);
      },
    });
  }

  taskTransition(environment: string, status: string, count = 1): void {
    if (count > 0) this.tasks.inc({ environment, status }, count);
  }

  taskFinished(environment: string, kind: string, seconds: number): void {
    this.duration.observe({ environment, kind }, Math.max(0, seconds));
  }
}
