import {
  type GatewayHeartbeat,
  type GatewayHeartbeatAck,
  GatewayHeartbeatAckSchema,
} from '@mazevault/contracts';
import { PeriodicJob } from '@mazevault/platform';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway.config';
import type { PrimaryCircuitState } from '../primary/primary-circuit';
import type { PrimaryAnswer } from '../primary/primary-client';

export const HEARTBEAT_PATH = '/api/v1/gateway/heartbeat';

/** What the loop needs of PrimaryClient: calls through the breaker, its state, the identity's expiry. */
export interface HeartbeatPrimary {
  post<T>(path: string, body: unknown): Promise<PrimaryAnswer<T>>;
  readonly circuit: { readonly state: PrimaryCircuitState };
  readonly identity: { readonly notAfter: Date };
}

/**
 * Heartbeats to the Primary over mTLS on an interval, reporting the breaker's state (cockatiel, in
 * PrimaryClient) and the heartbeats failed in a row. The Primary's answer says whether this gateway
 * is its environment's active one: that decides whether the task loop polls (`onAck`). A refusal
 * (4xx: disabled, certificate replaced) also stops polling; an unreachable Primary leaves it as it
 * was (polls fail on their own and the breaker opens).
 */
export class HeartbeatLoop {
  /** Heartbeats failed in a row (refused or unanswered): mazevault_gateway_heartbeat_consecutive_failures. */
  consecutiveFailures = 0;
  lastSuccessAt: Date | null = null;
  /** The last answer could not be read (said once, not every heartbeat). */
  private unreadableAck = false;
  private readonly job: PeriodicJob<void>;

  constructor(
    private readonly config: Pick<
      GatewayConfig,
      | 'MAZEVAULT_VERSION'
      | 'MAZEVAULT_GATEWAY_ENVIRONMENT'
      | 'MAZEVAULT_GATEWAY_ROLE'
      | 'GATEWAY_HEARTBEAT_INTERVAL_SECONDS'
    >,
    private readonly primary: HeartbeatPrimary,
    private readonly logger: Logger,
    private readonly onAck: (active: boolean, ack: GatewayHeartbeatAck | null) => void = () => undefined,
  ) {
    this.job = new PeriodicJob(
      () => this.send(),
      () => undefined, // send() records and logs its own failures
    );
  }

  get circuit(): PrimaryCircuitState {
    return this.primary.circuit.state;
  }

  start(): void {
    this.job.start(this.config.GATEWAY_HEARTBEAT_INTERVAL_SECONDS * 1000);
    this.logger.info(`Heartbeat loop started (${this.config.GATEWAY_HEARTBEAT_INTERVAL_SECONDS}s interval)`);
    void this.job.run().catch(() => undefined);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** One heartbeat (the interval calls it; tests call it directly). */
  beat(): Promise<void> {
    return this.job.run();
  }

  private async send(): Promise<void> {
    const circuit = this.circuit;
    const body: GatewayHeartbeat = {
      sentAt: new Date().toISOString(),
      version: this.config.MAZEVAULT_VERSION,
      environment: this.config.MAZEVAULT_GATEWAY_ENVIRONMENT,
      role: this.config.MAZEVAULT_GATEWAY_ROLE,
      status: circuit === 'closed' && this.consecutiveFailures === 0 ? 'healthy' : 'degraded',
      primaryCircuit: circuit,
      consecutiveFailures: this.consecutiveFailures,
      certificateNotAfter: this.primary.identity.notAfter.toISOString(),
      writeQueueDepth: 0,
    };
    let answer: PrimaryAnswer<unknown>;
    try {
      answer = await this.primary.post<unknown>(HEARTBEAT_PATH, body);
    } catch (error) {
      this.failed(`heartbeat failed: ${(error as Error).message}`);
      return;
    }
    if (answer.status < 200 || answer.status >= 300) {
      const code = (answer.body as { code?: unknown } | null)?.code;
      this.failed(`heartbeat refused: ${answer.status} ${typeof code === 'string' ? code : ''}`.trimEnd());
      if (answer.status < 500) this.onAck(false, null);
      return;
    }
    this.consecutiveFailures = 0;
    this.lastSuccessAt = new Date();
    const ack = GatewayHeartbeatAckSchema.safeParse(answer.body);
    if (!ack.success) {
      // Default deny: without the Primary saying so, this gateway is not the active one.
      if (!this.unreadableAck)
        this.logger.warn('heartbeat answer does not say whether this gateway is active: not polling');
      this.unreadableAck = true;
      this.onAck(false, null);
      return;
    }
    this.unreadableAck = false;
    this.logger.debug({ active: ack.data.active, epoch: ack.data.epoch }, 'heartbeat sent');
    this.onAck(ack.data.active, ack.data);
  }

  private failed(message: string): void {
    this.consecutiveFailures += 1;
    this.logger.warn({ consecutiveFailures: this.consecutiveFailures }, message);
  }
}
