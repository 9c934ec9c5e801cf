import { GATEWAY_ENVIRONMENTS, GATEWAY_ROLES } from '@mazevault/contracts';
import { env, loadConfig, sensitive } from '@mazevault/platform';
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
  /** Consecutive failed heartbeats after which the Primary counts as unreachable (breaker open). */
  PRIMARY_FAILURE_THRESHOLD: env.int(3, 1),
  /** Accepted for the Azure deployment (Key Vault access is a later part); unused here. */
  AZURE_MANAGED_IDENTITY_CLIENT_ID: z.string().optional(),
} as const;

export type GatewayConfig = z.infer<z.ZodObject<typeof GATEWAY_CONFIG_SHAPE>>;

export function loadGatewayConfig(source?: Record<string, string | undefined>): GatewayConfig {
  return loadConfig(GATEWAY_CONFIG_SHAPE, source);
}
