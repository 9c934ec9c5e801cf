import { ManualClock, systemClock } from './clock';

describe('clocks', () => {
  it('a manual clock stands still until moved', () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    clock.advance(90);
    expect(clock.now().toISOString()).toBe('2030-01-01T00:01:30.000Z');
    // Each call is a new Date: a caller mutating it cannot move the clock.
    clock.now().setFullYear(1999);
    expect(clock.now().getUTCFullYear()).toBe(2030);
  });

  it('the system clock reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
