export interface HealthCheck {
  name: string;
  check(): Promise<unknown>;
  /**
   * Whether a failure makes the service not ready (503); default true. A non-critical check is still
   * reported (e.g. an optional cache whose loss degrades but does not stop the service).
   */
  critical?: boolean;
  /** State shown beside the check's status (counts, breaker state): never names, hosts or secrets. */
  details?(): Record<string, string | number | boolean | null>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
