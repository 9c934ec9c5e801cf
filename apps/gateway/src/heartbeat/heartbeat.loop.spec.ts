import pino from 'pino';
import type { PrimaryCircuitState } from '../primary/primary-circuit';
import type { PrimaryAnswer } from '../primary/primary-client';
import { HEARTBEAT_PATH, HeartbeatLoop } from './heartbeat.loop';

const logger = pino({ level: 'silent' });
const config = {
  MAZEVAULT_VERSION: '1.5.0',
  MAZEVAULT_GATEWAY_ENVIRONMENT: 'PRO' as const,
  MAZEVAULT_GATEWAY_ROLE: 'dr-standby' as const,
  GATEWAY_HEARTBEAT_INTERVAL_SECONDS: 60,
};

/** A fake PrimaryClient: the answer to give, or an error to throw; records what was sent. */
function fakePrimary() {
  const sent: unknown[] = [];
  const state = {
    answer: { status: 200, body: {} } as PrimaryAnswer<unknown> | Error,
    circuit: 'closed' as PrimaryCircuitState,
  };
  return {
    sent,
    state,
    client: {
      get circuit() {
        return { state: state.circuit };
      },
      identity: { notAfter: new Date('2027-01-01T00:00:00.000Z') },
      async post<T>(path: string, body: unknown): Promise<PrimaryAnswer<T>> {
        expect(path).toBe(HEARTBEAT_PATH);
        sent.push(body);
        if (state.answer instanceof Error) throw state.answer;
        return state.answer as PrimaryAnswer<T>;
      },
    },
  };
}

const ack = (active: boolean, epoch = 2) => ({
  status: 200,
  body: { serverTime: new Date().toISOString(), active, epoch },
});

describe('HeartbeatLoop', () => {
  it("hands the ack's `active` to the task loop, and denies on anything it cannot read", async () => {
    const primary = fakePrimary();
    const decisions: boolean[] = [];
    const loop = new HeartbeatLoop(config, primary.client, logger, (active) => decisions.push(active));

    primary.state.answer = ack(false);
    await loop.beat();
    primary.state.answer = ack(true, 3);
    await loop.beat();
    primary.state.answer = { status: 200, body: { serverTime: new Date().toISOString() } }; // no `active`
    await loop.beat();
    primary.state.answer = { status: 401, body: { code: 'gateway_not_active' } };
    await loop.beat();
    expect(decisions).toEqual([false, true, false, false]);
    await loop.stop();
  });

  it('reports the breaker state and the heartbeats failed in a row; an unreachable Primary changes no decision', async () => {
    const primary = fakePrimary();
    const decisions: boolean[] = [];
    const loop = new HeartbeatLoop(config, primary.client, logger, (active) => decisions.push(active));
    primary.state.answer = new Error('connect ECONNREFUSED');
    await loop.beat();
    primary.state.circuit = 'open';
    await loop.beat();
    expect(loop.consecutiveFailures).toBe(2);
    expect(decisions).toEqual([]);

    primary.state.circuit = 'half-open';
    primary.state.answer = ack(true);
    await loop.beat();
    expect(primary.sent.at(-1)).toMatchObject({
      version: '1.5.0',
      environment: 'PRO',
      role: 'dr-standby',
      status: 'degraded',
      primaryCircuit: 'half-open',
      consecutiveFailures: 2,
      certificateNotAfter: '2027-01-01T00:00:00.000Z',
      writeQueueDepth: 0,
    });
    expect(loop.consecutiveFailures).toBe(0);
    expect(decisions).toEqual([true]);
    await loop.stop();
  });
});
