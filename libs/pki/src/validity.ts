import * as pkijs from 'pkijs';
import { addSeconds, Clock, truncateToSeconds } from './clock';
import { PkiError } from './pki-error';

/** Tolerance for relying parties whose clocks run slightly behind ours. */
export const BACKDATE_SECONDS = 60;

export interface ValidityRequest {
  clock: Clock;
  /** Requested lifetime; defaults to the maximum. */
  ttlSeconds?: number;
  maxTtlSeconds: number;
  /** Validity of the issuing CA (absent for a self-signed root). */
  issuer?: { notBefore: Date; notAfter: Date };
}

/**
 * notBefore = now − 1 min (never before the issuer's notBefore); notAfter = now + ttl, capped so the
 * whole period — backdate included, both ends inclusive (RFC 5280 4.1.2.5) — fits in maxTtl, and never
 * past the issuer's notAfter (a certificate must not outlive its CA).
 */
export function computeValidity(request: ValidityRequest): { notBefore: Date; notAfter: Date } {
  const ttl = request.ttlSeconds ?? request.maxTtlSeconds;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new PkiError('invalid_argument', 'ttlSeconds must be positive');
  const now = truncateToSeconds(request.clock.now());
  if (request.issuer && request.issuer.notAfter.getTime() <= now.getTime()) throw new PkiError('ca_expired', 'the issuing CA has expired');
  if (request.issuer && request.issuer.notBefore.getTime() > now.getTime()) throw new PkiError('ca_expired', 'the issuing CA is not valid yet');
  let notBefore = addSeconds(now, -BACKDATE_SECONDS);
  if (request.issuer && notBefore < request.issuer.notBefore) notBefore = request.issuer.notBefore;
  const candidates = [addSeconds(now, Math.floor(ttl)), addSeconds(notBefore, request.maxTtlSeconds - 1)];
  if (request.issuer) candidates.push(request.issuer.notAfter);
  const notAfter = new Date(Math.min(...candidates.map((d) => d.getTime())));
  return { notBefore, notAfter };
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: truncateToSeconds(date) });
}
