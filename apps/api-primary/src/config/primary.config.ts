import { ACCESS_LOG_MODES, ConfigValidationError, env, loadConfig, sensitive } from '@mazevault/platform';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { GATEWAYS_CONFIG_SHAPE } from '../gateways/gateways.config';
import { PKI_CONFIG_SHAPE } from '../pki/pki.config';

/** Every environment variable the Primary reads, validated once at start-up. */
export const PRIMARY_CONFIG_SHAPE = {
  MAZEVAULT_MODE: z.literal('primary').default('primary'),
  HOST: z.string().default('0.0.0.0'),
  PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  /**
   * Access-log lines: `errors` (status ≥ 400, the default), `all`, or `off`. In a deployment the proxy
   * in front (nginx, the ingress) logs every request with its X-Request-Id, and the audit log records
   * every secret read, issuance and denial with the same id: a third line per success is duplication,
   * and cost about a tenth of the throughput of hot reads. Vault, too, logs requests only to audit.
   */
  ACCESS_LOG: z.enum(ACCESS_LOG_MODES).default('errors'),
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  DATABASE_POOL_MAX: env.int(10, 1),
  /** Off behind a transaction-mode pooler that does not track prepared statements (e.g. PgBouncer < 1.21). */
  DATABASE_PREPARED_STATEMENTS: env.bool(true),
  REDIS_URL: sensitive(env.url(['redis', 'rediss'])),
  /** Prefix of every key the Primary writes (replicas of one deployment share it; tests isolate by it). */
  REDIS_KEY_PREFIX: z.string().default(''),
  /**
   * Bounds on a Redis call, so a request needing Redis while it is unreachable fails fast (503
   * platform_degraded) instead of waiting in ioredis' offline queue.
   */
  REDIS_CONNECT_TIMEOUT_MS: env.int(2000, 100),
  REDIS_COMMAND_TIMEOUT_MS: env.int(2000, 100),
  /** ES256 private key (PKCS#8 PEM) signing user JWTs. */
  JWT_PRIVATE_KEY: sensitive(
    z.string().includes('BEGIN PRIVATE KEY', { message: 'expected a PKCS#8 PEM private key' }),
  ),
  /**
   * The signing key being rotated out (PEM, public or private): tokens it signed stay valid until
   * they expire, so a key rotation does not log everyone out. Remove after JWT_TTL_SECONDS.
   */
  JWT_PREVIOUS_KEY: z.string().includes('BEGIN', { message: 'expected a PEM key' }).optional(),
  JWT_ISSUER: z.string().default('mazevault'),
  JWT_AUDIENCE: z.string().default('mazevault-api'),
  JWT_TTL_SECONDS: env.int(900, 60),
  /**
   * The longest session a token may carry (exp − iat), enforced on verification too: a token signed
   * with our key but a longer life (or no iat) is refused. Unset = JWT_TTL_SECONDS; never below it.
   */
  JWT_MAX_TTL_SECONDS: z.coerce.number().int().min(60).optional(),
  /** Accept an `aud` claim that is an array containing JWT_AUDIENCE; off = `aud` must be that string. */
  JWT_ALLOW_AUDIENCE_ARRAY: env.bool(false),
  /** HMAC key masking resource references in audit events; unset = references in clear. */
  TENANT_SALT: sensitive(z.string().min(16, { message: 'must be at least 16 characters' })).optional(),
  BODY_LIMIT_BYTES: env.int(1024 * 1024, 1024),
  /** X-Forwarded-For hops to trust: `true`, a hop count, or proxy addresses/CIDRs (comma-separated). */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v === 'false' ? false : v === 'true' ? true : /^\d+$/.test(v) ? Number(v) : v,
    ),
  LOGIN_MAX_FAILURES: env.int(5, 1),
  LOGIN_LOCKOUT_SECONDS: env.int(900, 1),
  /** Requests per minute per client IP on /auth endpoints. */
  AUTH_RATE_LIMIT_PER_MINUTE: env.int(30, 1),
  API_TOKEN_MAX_TTL_DAYS: env.int(365, 1),
  AUDIT_SEAL_INTERVAL_MS: env.int(1000, 0),
  /** How often a signed audit checkpoint goes to the log and the audit export (0 = never). */
  AUDIT_CHECKPOINT_INTERVAL_MS: env.int(5 * 60 * 1000, 0),
  /** Append-only JSONL file receiving the audit checkpoints (absolute path); unset = log only. */
  AUDIT_EXPORT_PATH: z.string().refine(isAbsolute, { message: 'must be an absolute path' }).optional(),

  /** Where the master key (wrapping every project's key-encryption key) comes from. */
  MASTER_KEY_PROVIDER: z.enum(['env', 'file', 'azure-keyvault']).default('env'),
  /** base64 of 32 random bytes (`openssl rand -base64 32`), for MASTER_KEY_PROVIDER=env. */
  MASTER_KEY: sensitive(z.string()).optional(),
  MASTER_KEY_FILE: z.string().optional(),
  /** The Gateway/operational Key Vault holding the master key, for MASTER_KEY_PROVIDER=azure-keyvault. */
  MASTER_KEY_VAULT_URL: env.url(['https']).optional(),
  MASTER_KEY_SECRET_NAME: z.string().default('mazevault-master-key'),
  /** The previous master key (base64) during a rotation, so KEKs wrapped by it still unwrap. */
  MASTER_KEY_PREVIOUS: sensitive(z.string()).optional(),

  /** Secrets always require authentication; `false` is refused rather than silently honoured. */
  SECRETS_API_REQUIRE_AUTH: env.bool(true).refine((v) => v, {
    message: 'false is not supported: every secrets call is authenticated and authorized',
  }),
  /** true: bindings must cover the secret's project/environment; false: organization-wide checks only. */
  SECRETS_ENFORCE_SCOPES: env.bool(true),
  /** When set, only principals of this organization (id or slug) reach the secrets API. */
  TENANT_ID: z.string().optional(),
  /** Comma-separated path prefixes (`app,shared/tls`) the secrets API may touch; unset = all. */
  TENANT_ALLOWED_MOUNTS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean)
        : [],
    ),
  /** Alternative name of TENANT_SALT used by the secret-store seed documents. */
  SECRET_TENANT_SALT: sensitive(z.string().min(16, { message: 'must be at least 16 characters' })).optional(),
  /** Largest secret value accepted (serialized JSON bytes). */
  SECRET_MAX_BYTES: env.int(64 * 1024, 1),
  WRAP_MAX_TTL_SECONDS: env.int(24 * 3600, 1),

  /** Where Console instance secrets live: `azure-keyvault` (AZURE_KEY_VAULT_URL) or `noop` (nothing persisted). */
  SECRET_STORE_PROVIDER: z.enum(['noop', 'azure-keyvault']).default('noop'),
  AZURE_KEY_VAULT_URL: env.url(['https']).optional(),
  /** A user-assigned managed identity to prefer (DefaultAzureCredential tries workload/managed identity, env, CLI). */
  AZURE_MANAGED_IDENTITY_CLIENT_ID: z.string().optional(),
  /** How often a cached registration token is re-read from the store (it is also re-read on a mismatch). */
  CONSOLE_TOKEN_REFRESH_SECONDS: env.int(300, 1),

  /** The internal CA: public URLs, CRL and OCSP-signer schedules, issuance threads (see pki.config.ts). */
  ...PKI_CONFIG_SHAPE,

  /** The gateway listener (mTLS, 8443) and enrollment (see gateways.config.ts). */
  ...GATEWAYS_CONFIG_SHAPE,
} as const;

export type PrimaryConfig = z.infer<z.ZodObject<typeof PRIMARY_CONFIG_SHAPE>>;

export const PRIMARY_CONFIG = Symbol('PRIMARY_CONFIG');

/** From `source`, or (unset) the process environment, which only the platform's config loader reads. */
export function loadPrimaryConfig(source?: Record<string, string | undefined>): PrimaryConfig {
  const config = loadConfig(PRIMARY_CONFIG_SHAPE, source);
  if (config.SECRET_STORE_PROVIDER === 'azure-keyvault' && !config.AZURE_KEY_VAULT_URL) {
    throw new ConfigValidationError([
      { variable: 'AZURE_KEY_VAULT_URL', message: 'required when SECRET_STORE_PROVIDER=azure-keyvault' },
    ]);
  }
  const jwtMaxTtl = config.JWT_MAX_TTL_SECONDS ?? config.JWT_TTL_SECONDS;
  if (jwtMaxTtl < config.JWT_TTL_SECONDS) {
    throw new ConfigValidationError([
      { variable: 'JWT_MAX_TTL_SECONDS', message: 'must be at least JWT_TTL_SECONDS' },
    ]);
  }
  return {
    ...config,
    JWT_MAX_TTL_SECONDS: jwtMaxTtl,
    TENANT_SALT: config.TENANT_SALT ?? config.SECRET_TENANT_SALT,
  };
}
