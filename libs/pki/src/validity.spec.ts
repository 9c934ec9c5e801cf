import { BACKDATE_SECONDS, computeValidity, renewalDueAt } from './validity';

describe('renewalDueAt', () => {
  it('is 2/3 of the way from notBefore to notAfter, the backdating included', () => {
    const notBefore = new Date('2026-01-01T00:00:00Z');
    const notAfter = new Date('2026-01-31T00:00:00Z');
    expect(renewalDueAt({ notBefore, notAfter }).toISOString()).toBe('2026-01-21T00:00:00.000Z');
  });

  it('puts a 60 s gateway certificate (profile max = TTL + backdating + 1 s, RFC 5280 inclusive) 20 s after issuance', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const validity = computeValidity({
      clock: { now: () => now },
      ttlSeconds: 60,
      maxTtlSeconds: 60 + BACKDATE_SECONDS + 1,
    });
    expect(validity.notAfter.getTime() - now.getTime()).toBe(60_000);
    expect(renewalDueAt(validity).getTime() - now.getTime()).toBe(20_000);
  });
});
