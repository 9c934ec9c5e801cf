import { Inject, Injectable } from '@nestjs/common';
import type {
  GatewayEnvironment,
  GatewayFailoverChange,
  GatewayFailoverView,
  GatewayRole,
} from '@mazevault/contracts';
import { type GatewayEntity, GatewayFailoverEntity } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import { DataSource, type EntityManager } from 'typeorm';

/** An environment's failover state as a lease or result sees it. */
export interface FailoverState {
  activeRole: GatewayRole;
  epoch: number;
}

/**
 * DR failover per organization and gateway environment: which role (`primary`, or `dr-standby` after
 * activate-dr) runs the environment's tasks, and the fencing epoch. Every change bumps the epoch and
 * puts the tasks leased under the old one back in the queue, so the fenced gateway can neither take
 * nor finish work even if it comes back. Leases and results read the state FOR SHARE and a change
 * takes it FOR UPDATE: a failover never interleaves with a lease or a result.
 */
@Injectable()
export class GatewayFailoverService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** What a heartbeat answers: is this gateway its environment's task runner, and the epoch. */
  async standing(gateway: GatewayEntity): Promise<{ active: boolean; epoch: number }> {
    const state = await this.read(this.dataSource.manager, gateway.organizationId, gateway.environment);
    return { active: gateway.status === 'active' && gateway.role === state.activeRole, epoch: state.epoch };
  }

  async get(organizationId: string, environment: GatewayEnvironment): Promise<GatewayFailoverView> {
    const row = await this.dataSource
      .getRepository(GatewayFailoverEntity)
      .findOneBy({ organizationId, environment });
    return view(environment, row);
  }

  /**
   * The state inside a lease or result transaction, locked FOR SHARE (the row is created on first use
   * so there is always one to lock).
   */
  async lockShared(
    manager: EntityManager,
    organizationId: string,
    environment: string,
  ): Promise<FailoverState> {
    await this.ensure(manager, organizationId, environment);
    return this.read(manager, organizationId, environment, 'FOR SHARE');
  }

  /**
   * Why this gateway may not take or finish tasks now, or null if it may: a `primary` while DR is
   * active is fenced; a `dr-standby` before activation is not active.
   */
  refusal(gateway: GatewayEntity, state: FailoverState): ProblemException | null {
    if (gateway.status === 'active' && gateway.role === state.activeRole) return null;
    if (gateway.role === 'primary')
      return new ProblemException(
        409,
        'gateway_fenced',
        `DR is active for ${gateway.environment} (epoch ${state.epoch}): this gateway is fenced until failback`,
      );
    return new ProblemException(
      409,
      'gateway_not_active_for_tasks',
      `This ${gateway.role} gateway runs no tasks until DR is activated for ${gateway.environment}`,
    );
  }

  /**
   * Makes `activeRole` the environment's task runner. Idempotent: already so → nothing changes (same
   * epoch, `changed: false`). Otherwise the epoch goes up by one and every task leased in the
   * environment (all of them by the role now fenced) goes back to the queue for the new runner.
   */
  async activate(
    organizationId: string,
    environment: GatewayEnvironment,
    activeRole: GatewayRole,
    by: string,
  ): Promise<GatewayFailoverChange> {
    return this.dataSource.transaction(async (manager) => {
      await this.ensure(manager, organizationId, environment);
      const current = await this.read(manager, organizationId, environment, 'FOR UPDATE');
      if (current.activeRole === activeRole) {
        const row = await manager.findOneByOrFail(GatewayFailoverEntity, { organizationId, environment });
        return { ...view(environment, row), changed: false, requeuedTasks: 0 };
      }
      const now = this.clock.now();
      await manager.update(
        GatewayFailoverEntity,
        { organizationId, environment },
        { activeRole, epoch: current.epoch + 1, updatedAt: now, updatedBy: by },
      );
      const [, requeuedTasks] = (await manager.query(
        `UPDATE "gateway_tasks" SET "status" = 'queued', "leased_by_gateway_id" = NULL, "lease_epoch" = NULL,
                "leased_at" = NULL, "lease_expires_at" = NULL
          WHERE "organization_id" = $1 AND "environment" = $2 AND "status" = 'leased'`,
        [organizationId, environment],
      )) as [unknown, number];
      const row = await manager.findOneByOrFail(GatewayFailoverEntity, { organizationId, environment });
      return { ...view(environment, row), changed: true, requeuedTasks };
    });
  }

  private async ensure(manager: EntityManager, organizationId: string, environment: string): Promise<void> {
    await manager.query(
      `INSERT INTO "gateway_failover" ("organization_id", "environment", "active_role", "epoch", "updated_at")
       VALUES ($1, $2, 'primary', 0, $3) ON CONFLICT DO NOTHING`,
      [organizationId, environment, this.clock.now()],
    );
  }

  private async read(
    manager: EntityManager,
    organizationId: string,
    environment: string,
    lock: '' | 'FOR SHARE' | 'FOR UPDATE' = '',
  ): Promise<FailoverState> {
    const rows = (await manager.query(
      `SELECT "active_role", "epoch" FROM "gateway_failover" WHERE "organization_id" = $1 AND "environment" = $2 ${lock}`,
      [organizationId, environment],
    )) as { active_role: GatewayRole; epoch: number }[];
    return rows[0]
      ? { activeRole: rows[0].active_role, epoch: rows[0].epoch }
      : { activeRole: 'primary', epoch: 0 };
  }
}

function view(environment: string, row: GatewayFailoverEntity | null): GatewayFailoverView {
  const activeRole = (row?.activeRole ?? 'primary') as GatewayRole;
  return {
    environment,
    activeRole,
    epoch: row?.epoch ?? 0,
    drActive: activeRole === 'dr-standby',
    updatedAt: row && row.updatedBy !== null ? row.updatedAt.toISOString() : null,
    updatedBy: row?.updatedBy ?? null,
  };
}
