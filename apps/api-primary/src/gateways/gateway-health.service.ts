import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_ENVIRONMENTS, type GatewayFailoverView } from '@mazevault/contracts';
import { GatewayEntity } from '@mazevault/persistence';
import { CLOCK, type Clock } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { GatewayFailoverService } from './gateway-failover.service';
import { gatewayHealthScore } from './gateway-health-score';

export interface GatewayHealthView {
  id: string;
  name: string;
  organizationId: string;
  environment: string;
  role: string;
  status: string;
  /** This gateway runs its environment's tasks now (its role is the active one). */
  active: boolean;
  healthScore: number;
  heartbeatAgeSeconds: number | null;
  lastSeenAt: string | null;
  breaker: string | null;
  consecutiveFailures: number | null;
  certificateDaysLeft: number | null;
  version: string | null;
}

const DAY_MS = 86_400_000;

/** Every gateway's health score (see gateway-health-score.ts) and its environment's failover state. */
@Injectable()
export class GatewayHealthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly failover: GatewayFailoverService,
  ) {}

  /** `GET /api/v1/admin/gateway-health`: the organization's gateways and both environments' failover. */
  async report(
    organizationId: string,
  ): Promise<{ gateways: GatewayHealthView[]; failover: GatewayFailoverView[]; checkedAt: string }> {
    const failover = await Promise.all(GATEWAY_ENVIRONMENTS.map((e) => this.failover.get(organizationId, e)));
    const activeRole = new Map(
      failover.map((f) => [`${organizationId}\u0000${f.environment}`, f.activeRole]),
    );
    const gateways = await this.views({ organizationId }, activeRole);
    return { gateways, failover, checkedAt: this.clock.now().toISOString() };
  }

  /** Every organization's gateways (for the metrics), with each environment's active role. */
  async all(): Promise<GatewayHealthView[]> {
    const rows = (await this.dataSource.query(
      `SELECT "organization_id", "environment", "active_role" FROM "gateway_failover"`,
    )) as { organization_id: string; environment: string; active_role: string }[];
    return this.views(
      {},
      new Map(rows.map((r) => [`${r.organization_id}\u0000${r.environment}`, r.active_role])),
    );
  }

  private async views(
    where: { organizationId?: string },
    activeRole: Map<string, string>,
  ): Promise<GatewayHealthView[]> {
    const rows = await this.dataSource
      .getRepository(GatewayEntity)
      .find({ where, order: { environment: 'ASC', name: 'ASC' } });
    const now = this.clock.now().getTime();
    return rows.map((g) => {
      const beat = (g.lastHeartbeat ?? {}) as Record<string, unknown>;
      const age = g.lastSeenAt ? Math.max(0, (now - g.lastSeenAt.getTime()) / 1000) : null;
      const certificateDaysLeft = g.certificateNotAfter
        ? Math.round(((g.certificateNotAfter.getTime() - now) / DAY_MS) * 100) / 100
        : null;
      const breaker = typeof beat.primaryCircuit === 'string' ? beat.primaryCircuit : null;
      const consecutiveFailures =
        typeof beat.consecutiveFailures === 'number' ? beat.consecutiveFailures : null;
      return {
        id: g.id,
        name: g.name,
        organizationId: g.organizationId,
        environment: g.environment,
        role: g.role,
        status: g.status,
        active:
          g.status === 'active' &&
          g.role === (activeRole.get(`${g.organizationId}\u0000${g.environment}`) ?? 'primary'),
        healthScore: gatewayHealthScore({
          status: g.status,
          heartbeatAgeSeconds: age,
          heartbeatIntervalSeconds: this.config.GATEWAY_HEARTBEAT_INTERVAL_SECONDS,
          breaker,
          consecutiveFailures,
          certificateDaysLeft,
          reportedStatus: typeof beat.status === 'string' ? beat.status : null,
        }),
        heartbeatAgeSeconds: age === null ? null : Math.round(age * 1000) / 1000,
        lastSeenAt: g.lastSeenAt?.toISOString() ?? null,
        breaker,
        consecutiveFailures,
        certificateDaysLeft,
        version: typeof beat.version === 'string' ? beat.version : null,
      };
    });
  }
}
