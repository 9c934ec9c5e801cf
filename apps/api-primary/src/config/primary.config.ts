import { env, loadConfig, sensitive } from '@mazevault/platform';
import { z } from 'zod';

/** Every environment variable the Primary reads, validated once at start-up. */
export const PRIMARY_CONFIG_SHAPE = {
  MAZEVAULT_MODE: z.literal('primary').default('primary'),
  HOST: z.string().default('0.0.0.0'),
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  DATABASE_POOL_MAX: env.int(10, 1),
  REDIS_URL: sensitive(env.url(['redis', 'rediss'])),
  /** ES256 private key (PKCS#8 PEM) signing user JWTs. */
  JWT_PRIVATE_KEY: sensitive(z.string().includes('BEGIN PRIVATE KEY', { message: 'expected a PKCS#8 PEM private key' })),
  JWT_ISSUER: z.string().default('mazevault'),
  JWT_AUDIENCE: z.string().default('mazevault-api'),
  JWT_TTL_SECONDS: env.int(900, 60),
  /** HMAC key masking resource references in audit events; unset = references in clear. */
  TENANT_SALT: sensitive(z.string().min(16, { message: 'must be at least 16 characters' })).optional(),
  BODY_LIMIT_BYTES: env.int(1024 * 1024, 1024),
  LOGIN_MAX_FAILURES: env.int(5, 1),
  LOGIN_LOCKOUT_SECONDS: env.int(900, 1),
  /** Requests per minute per client IP on /auth endpoints. */
  AUTH_RATE_LIMIT_PER_MINUTE: env.int(30, 1),
  API_TOKEN_MAX_TTL_DAYS: env.int(365, 1),
  AUDIT_SEAL_INTERVAL_MS: env.int(1000, 0),
} as const;

export type PrimaryConfig = z.infer<z.ZodObject<typeof PRIMARY_CONFIG_SHAPE>>;

export const PRIMARY_CONFIG = Symbol('PRIMARY_CONFIG');

export function loadPrimaryConfig(source: Record<string, string | undefined> = process.env): PrimaryConfig {
  return loadConfig(PRIMARY_CONFIG_SHAPE, source);
}
