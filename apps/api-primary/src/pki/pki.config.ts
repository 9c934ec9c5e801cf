import { env } from '@mazevault/platform';
import { z } from 'zod';

/**
 * The PKI engine's settings: part of the Primary's config (PRIMARY_CONFIG_SHAPE spreads them, so they
 * are validated with everything else at start-up; all optional, with defaults). The PKI module sees
 * only this slice. URLs end up inside every certificate issued: change them with care.
 */
export const PKI_CONFIG_SHAPE = {
  /** Base of the public URLs embedded in certificates (CA issuers, CRL distribution points). */
  PKI_PUBLIC_BASE_URL: env.url(['http', 'https']).default('http://127.0.0.1:8080'),
  /** The OCSP responder's URL (AIA id-ad-ocsp); unset = certificates carry no OCSP URL. */
  OCSP_URL: env.url(['http', 'https']).optional(),
  /** CRL lifetime (nextUpdate − thisUpdate); at most 7 days. */
  PKI_CRL_VALIDITY_SECONDS: env
    .int(24 * 3600, 60)
    .refine((v) => v <= 7 * 24 * 3600, { message: 'at most 604800 (7 days)' }),
  /** How often the scheduler looks for CRLs past half their lifetime (0 = no scheduler). */
  PKI_CRL_CHECK_INTERVAL_SECONDS: env.int(300, 0),
  /** A CA's delegated OCSP signer is re-issued when it has less than this left (its default life is 30 days). */
  PKI_OCSP_SIGNER_RENEW_BEFORE_SECONDS: env.int(10 * 24 * 3600, 60),
  /** How often the scheduler looks for OCSP signers due for renewal (0 = no scheduler). */
  PKI_OCSP_SIGNER_CHECK_INTERVAL_SECONDS: env.int(3600, 0),
  /** Worker threads that issue certificates off the HTTP event loop (0 = issue on the event loop). */
  PKI_ISSUANCE_WORKERS: env.int(1, 0).refine((v) => v <= 16, { message: 'at most 16' }),
} as const;

export type PkiConfig = z.infer<z.ZodObject<typeof PKI_CONFIG_SHAPE>>;

export const PKI_CONFIG = Symbol('PKI_CONFIG');

/** Stable public paths (under the /api/v1 prefix) for a CA's certificate and CRLs. */
export function publicPaths(caId: string) {
  return {
    certificate: `/api/v1/pki/ca/${caId}`,
    certificatePem: `/api/v1/pki/ca/${caId}/pem`,
    chainPem: `/api/v1/pki/ca/${caId}/chain`,
    crl: `/api/v1/pki/crl/${caId}`,
    crlPem: `/api/v1/pki/crl/${caId}/pem`,
    deltaCrl: `/api/v1/pki/crl/${caId}/delta`,
    deltaCrlPem: `/api/v1/pki/crl/${caId}/delta/pem`,
  };
}
