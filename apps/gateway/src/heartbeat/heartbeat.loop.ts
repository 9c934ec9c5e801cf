import type { GatewayHeartbeat } from '@mazevault/contracts';
import { PeriodicJob } from '@mazevault/platform';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway.config';
import type { PrimaryClient } from '../primary/primary-client';

export type PrimaryCircuit = GatewayHeartbeat['primaryCircuit'];

/**
 * Heartbeats to the Primary over mTLS on an interval. Its state (consecutive failures, the Primary's
 * reachability as a simple breaker: open after PRIMARY_FAILURE_THRESHOLD failures in a row) feeds the
 * health endpoint and the next heartbeat. A refusal (401: disabled, certificate replaced) is a
 * failure like any other and is logged with the Primary's problem code.
 */
export class HeartbeatLoop {
  consecutiveFailures = 0;
  lastSuccessAt: Date | null = null;
  private readonly job: PeriodicJob<void>;

  constructor(
    private readonly config: GatewayConfig,
    private readonly primary: PrimaryClient,
    private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob(
      () => this.beat(),
      () => undefined, // beat() records and logs its own failures
    );
  }

  get circuit(): PrimaryCircuit {
    return this.consecutiveFailures >= this.config.PRIMARY_FAILURE_THRESHOLD ? 'open' : 'closed';
  }

  start(): void {
    this.job.start(this.config.GATEWAY_HEARTBEAT_INTERVAL_SECONDS * 1000);
    this.logger.info(`Heartbeat loop started (${this.config.GATEWAY_HEARTBEAT_INTERVAL_SECONDS}s interval)`);
    void this.job.run().catch(() => undefined);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  private async beat(): Promise<void> {
    const body: GatewayHeartbeat = {
      sentAt: new Date().toISOString(),
      version: this.config.MAZEVAULT_VERSION,
      environment: this.config.MAZEVAULT_GATEWAY_ENVIRONMENT,
      role: this.config.MAZEVAULT_GATEWAY_ROLE,
      status: this.circuit === 'closed' ? 'healthy' : 'degraded',
      primaryCircuit: this.circuit,
      consecutiveFailures: this.consecutiveFailures,
      certificateNotAfter: this.primary.identity.notAfter.toISOString(),
      writeQueueDepth: 0,
    };
    try {
      const answer = await this.primary.post<{ code?: string }>('/api/v1/gateway/heartbeat', body);
      if (answer.status !== 200)
        throw new Error(`heartbeat refused: ${answer.status} ${answer.body?.code ?? ''}`);
      this.consecutiveFailures = 0;
      this.lastSuccessAt = new Date();
      this.logger.debug('heartbeat sent');
    } catch (error) {
      this.consecutiveFailures += 1;
      this.logger.warn(
        { consecutiveFailures: this.consecutiveFailures },
        `heartbeat failed: ${(error as Error).message}`,
      );
    }
  }
}
