import { gatewayHealthScore, type GatewayHealthInput } from './gateway-health-score';

const healthy: GatewayHealthInput = {
  status: 'active',
  heartbeatAgeSeconds: 10,
  heartbeatIntervalSeconds: 60,
  breaker: 'closed',
  consecutiveFailures: 0,
  certificateDaysLeft: 25,
  reportedStatus: 'healthy',
};

describe('gatewayHealthScore', () => {
  it('is 1 for an active gateway with a fresh heartbeat and nothing wrong', () => {
    expect(gatewayHealthScore(healthy)).toBe(1);
  });

  it('is 0 for a disabled or pending gateway, or one never heard from', () => {
    expect(gatewayHealthScore({ ...healthy, status: 'disabled' })).toBe(0);
    expect(gatewayHealthScore({ ...healthy, status: 'pending' })).toBe(0);
    expect(gatewayHealthScore({ ...healthy, heartbeatAgeSeconds: null })).toBe(0);
  });

  it('stays 1 up to two intervals, then falls linearly to 0 at five', () => {
    expect(gatewayHealthScore({ ...healthy, heartbeatAgeSeconds: 120 })).toBe(1);
    expect(gatewayHealthScore({ ...healthy, heartbeatAgeSeconds: 210 })).toBe(0.5);
    expect(gatewayHealthScore({ ...healthy, heartbeatAgeSeconds: 300 })).toBe(0);
    expect(gatewayHealthScore({ ...healthy, heartbeatAgeSeconds: 3600 })).toBe(0);
  });

  it("weighs the gateway's breaker, its consecutive failures and its reported status", () => {
    expect(gatewayHealthScore({ ...healthy, breaker: 'half-open' })).toBe(0.6);
    expect(gatewayHealthScore({ ...healthy, breaker: 'open' })).toBe(0.3);
    expect(gatewayHealthScore({ ...healthy, consecutiveFailures: 5 })).toBe(0.5);
    expect(gatewayHealthScore({ ...healthy, reportedStatus: 'degraded' })).toBe(0.8);
    expect(gatewayHealthScore({ ...healthy, breaker: 'open', consecutiveFailures: 5 })).toBe(0.15);
  });

  it('falls as the certificate nears expiry and is 0 once it has expired', () => {
    expect(gatewayHealthScore({ ...healthy, certificateDaysLeft: 7 })).toBe(1);
    expect(gatewayHealthScore({ ...healthy, certificateDaysLeft: 3.5 })).toBe(0.5);
    expect(gatewayHealthScore({ ...healthy, certificateDaysLeft: -1 })).toBe(0);
  });

  it('stays within 0..1 for any input', () => {
    for (const age of [-5, 0, 59, 1e9])
      for (const failures of [0, 1, 1e6]) {
        const score = gatewayHealthScore({
          ...healthy,
          heartbeatAgeSeconds: age,
          consecutiveFailures: failures,
        });
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
  });
});
