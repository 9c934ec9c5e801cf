import { Logger } from '@nestjs/common';
import { ProblemException } from '@mazevault/platform';

/** Seconds a client is told to wait before retrying while Redis is unreachable. */
export const DEGRADED_RETRY_AFTER_SECONDS = 5;

const logger = new Logger('PlatformDegraded');

/**
 * Runs a call that cannot be answered correctly without Redis (login lockout, rate limits). Any
 * failure of Redis (refused, timed out, out of memory, read-only replica) becomes a 503
 * `platform_degraded` with Retry-After: the client learns it is transient and not its fault, and
 * the request fails closed rather than skipping the check. Calls that do not need Redis do not
 * go through here and keep working.
 */
export async function requireRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // The error names the command and host, never a key's content (keys are digests).
    logger.warn({ err: error }, 'Redis unavailable: answering 503 platform_degraded');
    throw new ProblemException(
      503,
      'platform_degraded',
      'The platform is degraded (a required service is unavailable); try again shortly',
      {
        headers: { 'retry-after': String(DEGRADED_RETRY_AFTER_SECONDS) },
      },
    );
  }
}
