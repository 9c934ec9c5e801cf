import { PrimaryCircuit, PrimaryUnavailableError } from './primary-circuit';

describe('PrimaryCircuit', () => {
  it('opens after the threshold of unanswered calls or 5xx, refuses while open, half-opens, and closes on an answer', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const states: string[] = [];
      const circuit = new PrimaryCircuit({
        failureThreshold: 3,
        halfOpenAfterMs: 30_000,
        onStateChange: (s) => states.push(s),
      });
      const call = jest.fn(async () => ({ status: 200 }));

      await expect(circuit.execute(() => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow(
        'ECONNREFUSED',
      );
      expect(await circuit.execute(async () => ({ status: 503 }))).toEqual({ status: 503 });
      expect(circuit.consecutiveFailures).toBe(2);
      expect(circuit.state).toBe('closed');
      await expect(circuit.execute(() => Promise.reject(new Error('timeout')))).rejects.toThrow();
      expect(circuit.state).toBe('open');
      expect(circuit.consecutiveFailures).toBe(3);

      await expect(circuit.execute(call)).rejects.toBeInstanceOf(PrimaryUnavailableError);
      expect(call).not.toHaveBeenCalled();

      // After the reset time, the next call is the trial (half-open); a 4xx is the Primary answering.
      jest.advanceTimersByTime(30_001);
      let stateDuringTrial = '';
      const trial = await circuit.execute(async () => {
        await Promise.resolve(); // cockatiel records half-open once the trial call has started
        stateDuringTrial = circuit.state;
        return { status: 401 };
      });
      expect(trial).toEqual({ status: 401 });
      expect(stateDuringTrial).toBe('half-open');
      expect(circuit.state).toBe('closed');
      expect(circuit.consecutiveFailures).toBe(0);
      expect(states).toEqual(['open', 'half-open', 'closed']);
    } finally {
      jest.useRealTimers();
    }
  });
});
