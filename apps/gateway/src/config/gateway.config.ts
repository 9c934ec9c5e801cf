import { GATEWAY_ENVIRONMENTS, GATEWAY_ROLES } from '@mazevault/contracts';
import { ConfigValidationError, env, loadConfig, sensitive } from '@mazevault/platform';
import { z } from 'zod';

/** Every environment variable the gateway reads, validated once at start-up. */
export const GATEWAY_CONFIG_SHAPE = {
  MAZEVAULT_MODE: z.literal('gateway').default('gateway'),
  MAZEVAULT_VERSION: z
    .string()
    .regex(/^\d{1,4}\.\d{1,4}\.\d{1,6}(?:-[0-9A-Za-z.-]{1,64})?$/)
    .default('0.1.0'),
  HOST: z.string().default('0.0.0.0'),
  /** The gateway's own port (the seed's `kubectl port-forward svc/mazevault-gateway 8443:8443`). */
  PORT: env.port(8443),
  LOG_LEVEL: env.logLevel(),
  /** The Primary's gateway listener, e.g. https://primary.example.com:8443. */
  PRIMARY_BACKEND_URL: env.url(['https']),
  /** One-time enrollment token from `POST /api/v1/gateways/bootstrap`; unused once an identity is stored. */
  GATEWAY_BOOTSTRAP_TOKEN: sensitive(
    z.string().regex(/^mvgb_[A-Za-z0-9_-]{43}\.[0-9a-f]{64}$/, { message: 'not a gateway bootstrap token' }),
  ).optional(),
  MAZEVAULT_GATEWAY_ENVIRONMENT: z.enum(GATEWAY_ENVIRONMENTS).default('NPR'),
  MAZEVAULT_GATEWAY_ROLE: z.enum(GATEWAY_ROLES).default('primary'),
  /** The gateway's own PostgreSQL (its identity; later its write queue). */
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  /** base64 of 32 random bytes: seals the gateway's private key at rest (from the Gateway Key Vault in Azure). */
  MASTER_KEY: sensitive(z.string()),
  /** Seconds between heartbeats (the seed's 60 s); tests shorten it. */
  GATEWAY_HEARTBEAT_INTERVAL_SECONDS: env.int(60, 1),
  /** Bound on one call to the Primary. */
  PRIMARY_TIMEOUT_MS: env.int(5000, 100),
  /** Consecutive failed calls (network, timeout, 5xx) after which the breaker opens (the Primary is unreachable). */
  PRIMARY_FAILURE_THRESHOLD: env.int(3, 1),
  /** Seconds an open breaker waits before one trial call (half-open). */
  PRIMARY_CIRCUIT_RESET_SECONDS: env.int(30, 1),
  /** Long-poll wait for tasks (the Primary holds the request up to this many seconds). */
  GATEWAY_TASK_POLL_WAIT_SECONDS: env.int(20, 0),
  /** The gateway's own HTTPS certificate and key (PEM files, mounted by Helm); else a self-signed one. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** Optional: with several replicas of one gateway, a lease here lets only one of them poll for tasks. */
  REDIS_URL: sensitive(env.url(['redis', 'rediss'])).optional(),
  /** The environment's Project Key Vault (seed §7.1: https://{kv_project_name}.vault.azure.net/). */
  MAZEVAULT_PROJECT_KEYVAULT_URL: env.url(['https']).optional(),
  /**
   * Key Vault behind a custom domain (private DNS, Azure Stack): the SDK's check that the vault's
   * host ends with the challenge's resource domain must be off. Leave false for *.vault.azure.net.
   */
  MAZEVAULT_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: env.bool(false),
  /**
   * The gateway's user-assigned Managed Identity (seed: environment-specific MI). In AKS the workload
   * identity webhook also sets AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID and AZURE_AUTHORITY_HOST,
   * which @azure/identity reads itself.
   */
  AZURE_MANAGED_IDENTITY_CLIENT_ID: z.string().min(1).max(128).optional(),
} as const;

export type GatewayConfig = z.infer<z.ZodObject<typeof GATEWAY_CONFIG_SHAPE>>;

export function loadGatewayConfig(source?: Record<string, string | undefined>): GatewayConfig {
  const config = loadConfig(GATEWAY_CONFIG_SHAPE, source);
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE))
    throw new ConfigValidationError([
      { variable: 'TLS_CERT_FILE', message: 'TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all' },
    ]);
  return config;
}
