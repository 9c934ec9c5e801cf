import { retryAt } from './certificate-renewal';

describe('certificate renewal retries', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const farAway = new Date(now + 86_400_000);

  it('backs off from 1 s, doubling, to at most 5 minutes', () => {
    expect([1, 2, 3, 4].map((n) => retryAt(n, now, farAway) - now)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryAt(20, now, farAway) - now).toBe(300_000);
  });

  it('never waits past expiry: the last attempt comes just before it', () => {
    const soon = new Date(now + 10_000);
    expect(retryAt(5, now, soon)).toBe(soon.getTime() - 1000);
    expect(retryAt(5, now, new Date(now + 500))).toBe(now);
  });
});
