/**
 * A gateway's health score, 0.0–1.0, from what the Primary knows of it: its status, the age of its
 * last heartbeat, and what that heartbeat reported. A product of factors, each 0–1, so any one
 * failing condition pulls the score down on its own and a dead gateway scores 0 whatever else holds:
 *
 *   score = freshness × breaker × failures × certificate × reported   (0 when not active or never seen)
 *
 * - freshness: 1 while the heartbeat is at most 2 intervals old, then linear to 0 at 5 intervals
 *   (one missed beat is noise; five are an outage);
 * - breaker (the gateway's circuit breaker towards the Primary): closed 1, half-open 0.6, open 0.3;
 * - failures (consecutive failed calls to the Primary): 1 / (1 + n / 5) — 5 failures halve it;
 * - certificate: 1 with 7 or more days left, linear to 0 at expiry (an expired one cannot connect);
 * - reported status: healthy 1, degraded 0.8.
 *
 * Rounded to 3 decimals.
 */
export interface GatewayHealthInput {
  status: string;
  /** Seconds since the last heartbeat, or null if none was ever received. */
  heartbeatAgeSeconds: number | null;
  heartbeatIntervalSeconds: number;
  breaker?: string | null;
  consecutiveFailures?: number | null;
  /** Days until the gateway's client certificate expires, or null if unknown. */
  certificateDaysLeft?: number | null;
  reportedStatus?: string | null;
}

const BREAKER_FACTOR: Readonly<Record<string, number>> = { closed: 1, 'half-open': 0.6, open: 0.3 };
const FRESH_INTERVALS = 2;
const DEAD_INTERVALS = 5;
const CERTIFICATE_COMFORT_DAYS = 7;

export function gatewayHealthScore(input: GatewayHealthInput): number {
  if (input.status !== 'active' || input.heartbeatAgeSeconds === null) return 0;
  const intervals = Math.max(0, input.heartbeatAgeSeconds) / Math.max(1, input.heartbeatIntervalSeconds);
  const freshness = clamp((DEAD_INTERVALS - intervals) / (DEAD_INTERVALS - FRESH_INTERVALS));
  const breaker = input.breaker ? (BREAKER_FACTOR[input.breaker] ?? 0.3) : 1;
  const failures = 1 / (1 + Math.max(0, input.consecutiveFailures ?? 0) / 5);
  const certificate =
    input.certificateDaysLeft === null || input.certificateDaysLeft === undefined
      ? 1
      : clamp(input.certificateDaysLeft / CERTIFICATE_COMFORT_DAYS);
  const reported = input.reportedStatus === 'degraded' ? 0.8 : 1;
  return Math.round(freshness * breaker * failures * certificate * reported * 1000) / 1000;
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}
