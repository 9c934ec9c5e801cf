import * as pkijs from 'pkijs';
import { addSeconds, Clock, truncateToSeconds } from './clock';
import { PkiError } from './pki-error';

/** Tolerance for relying parties whose clocks run slightly behind ours. */
export const BACKDATE_SECONDS = 60;

export interface ValidityRequest {
  clock: Clock;
  /**
   * A lifetime the caller asked for: refused (never shortened) when it exceeds `maxTtlSeconds`
   * (`ttl_exceeds_profile`) or would end after the issuer (`ttl_exceeds_issuer`), as Vault does.
   */
  ttlSeconds?: number;
  /** The lifetime when none was asked for (default: the maximum); shortened silently to fit the issuer. */
  defaultTtlSeconds?: number;
  maxTtlSeconds: number;
  /** Validity of the issuing CA (absent for a self-signed root). */
  issuer?: { notBefore: Date; notAfter: Date };
}

/** Latest notAfter we write: GeneralizedTime 99991231235959Z (RFC 5280 4.1.2.5). */
const LAST_DATE = Date.UTC(9999, 11, 31, 23, 59, 59);

function checkedTtl(ttl: number | undefined, what: string): number | undefined {
  if (ttl === undefined) return undefined;
  if (!Number.isSafeInteger(ttl) || ttl <= 0)
    throw new PkiError('invalid_validity', `${what} must be a positive whole number of seconds`);
  return ttl;
}

/**
 * notBefore = now − 1 min (never before the issuer's notBefore); notAfter = now + ttl, trimmed so the
 * whole period — backdate included, both ends inclusive (RFC 5280 4.1.2.5) — fits in maxTtl. A default
 * lifetime is also cut at the issuer's notAfter (a certificate must not outlive its CA); a requested one
 * that does not fit is refused instead.
 */
export function computeValidity(request: ValidityRequest): { notBefore: Date; notAfter: Date } {
  const requested = checkedTtl(request.ttlSeconds, 'ttlSeconds');
  const maxTtl = checkedTtl(request.maxTtlSeconds, 'maxTtlSeconds')!;
  const now = truncateToSeconds(request.clock.now());
  // A lifetime no date can express is malformed input, whatever the profile allows.
  if (now.getTime() + (requested ?? maxTtl) * 1000 > LAST_DATE)
    throw new PkiError('invalid_validity', 'the validity would end after 9999-12-31');
  if (requested !== undefined && requested > maxTtl) {
    throw new PkiError(
      'ttl_exceeds_profile',
      `ttlSeconds ${requested} exceeds the maximum of ${maxTtl} seconds`,
      { maxTtlSeconds: maxTtl },
    );
  }
  const ttl =
    requested ?? Math.min(checkedTtl(request.defaultTtlSeconds, 'defaultTtlSeconds') ?? maxTtl, maxTtl);
  if (request.issuer && request.issuer.notAfter.getTime() <= now.getTime())
    throw new PkiError('ca_expired', 'the issuing CA has expired');
  if (request.issuer && request.issuer.notBefore.getTime() > now.getTime())
    throw new PkiError('ca_expired', 'the issuing CA is not valid yet');
  let notBefore = addSeconds(now, -BACKDATE_SECONDS);
  if (request.issuer && notBefore < request.issuer.notBefore) notBefore = request.issuer.notBefore;
  const wanted = addSeconds(now, ttl);
  if (requested !== undefined && request.issuer && wanted > request.issuer.notAfter) {
    throw new PkiError(
      'ttl_exceeds_issuer',
      `ttlSeconds ${requested} would outlive the issuing CA (valid until ${request.issuer.notAfter.toISOString()})`,
      {
        issuerNotAfter: request.issuer.notAfter.toISOString(),
      },
    );
  }
  const candidates = [wanted, addSeconds(notBefore, maxTtl - 1)];
  if (request.issuer) candidates.push(request.issuer.notAfter);
  const notAfter = new Date(Math.min(...candidates.map((d) => d.getTime())));
  return { notBefore, notAfter };
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: truncateToSeconds(date) });
}

/**
 * When a short-lived certificate is renewed: 2/3 of the way from notBefore to notAfter (the
 * backdating included), leaving a third of its lifetime to retry in.
 */
export function renewalDueAt(certificate: { notBefore: Date; notAfter: Date }): Date {
  const start = certificate.notBefore.getTime();
  return new Date(start + Math.floor(((certificate.notAfter.getTime() - start) * 2) / 3));
}
