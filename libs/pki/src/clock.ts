/** Time source. Everything in libs/pki that depends on "now" takes a Clock so tests can pin time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at `instant` (useful for pre-computed responses and tests). */
export function fixedClock(instant: Date): Clock {
  const ms = instant.getTime();
  return { now: () => new Date(ms) };
}

/**
 * X.509 / OCSP times are encoded with one-second precision (RFC 5280 4.1.2.5: no fractional seconds),
 * so we truncate before encoding: what we lint is then exactly what is signed and what parsers read back.
 */
export function truncateToSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
