import { env, loadConfig, sensitive } from '@mazevault/platform';
import { z } from 'zod';

/** Every environment variable the OCSP responder reads, validated once at start-up. */
export const OCSP_CONFIG_SHAPE = {
  HOST: z.string().default('0.0.0.0'),
  PORT: env.port(8081),
  LOG_LEVEL: env.logLevel(),
  /** PostgreSQL (a read replica is enough): CAs, OCSP signers, certificate status. */
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  DATABASE_POOL_MAX: env.int(4, 1),
  /** Revocation invalidations from the Primary; unset = periodic refresh only. */
  REDIS_URL: sensitive(env.url(['redis', 'rediss'])).optional(),
  /** The Primary's REDIS_KEY_PREFIX: its revocations are announced on a channel under that prefix. */
  REDIS_KEY_PREFIX: z.string().default(''),
  /** Same master key as the Primary (base64), to unseal the delegated OCSP signer keys. */
  MASTER_KEY: sensitive(z.string()),
  MASTER_KEY_PREVIOUS: sensitive(z.string()).optional(),
  /** nextUpdate − thisUpdate of every response (RFC 5019; ≤ 10 days). */
  OCSP_VALIDITY_SECONDS: env
    .int(4 * 3600, 60)
    .refine((v) => v <= 10 * 24 * 3600, { message: 'at most 864000 (10 days)' }),
  /** Cache-Control max-age cap, so relying parties re-ask well before nextUpdate. */
  OCSP_MAX_AGE_SECONDS: env.int(300, 0),
  /** Safety net under Redis: poll the database for revocations and new CAs this often. */
  OCSP_REFRESH_SECONDS: env.int(30, 1),
  OCSP_CACHE_MAX_ENTRIES: env.int(200_000, 100),
  /** Of those, answers "unknown": the serial is the client's choice, so a flood of random ones stays this small. */
  OCSP_CACHE_MAX_UNKNOWN_ENTRIES: env.int(10_000, 1),
  /** Pre-sign responses for up to this many certificates per CA at start-up (0 = lazy only). */
  OCSP_PRESIGN_LIMIT: env.int(10_000, 0),
  OCSP_BODY_LIMIT_BYTES: env.int(64 * 1024, 512),
} as const;

export type OcspConfig = z.infer<z.ZodObject<typeof OCSP_CONFIG_SHAPE>>;

/** From `source`, or (unset) the process environment, which only the platform's config loader reads. */
export function loadOcspConfig(source?: Record<string, string | undefined>): OcspConfig {
  return loadConfig(OCSP_CONFIG_SHAPE, source);
}
