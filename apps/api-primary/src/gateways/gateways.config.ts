import { GATEWAY_TASK_SECRETS_MAX_BYTES } from '@mazevault/contracts';
import { env } from '@mazevault/platform';
import { z } from 'zod';

/** The gateway listener and enrollment (part of PRIMARY_CONFIG_SHAPE). */
export const GATEWAYS_CONFIG_SHAPE = {
  /**
   * The mTLS listener for gateways (and later agents): a port, `0` for any free port (tests), or `off`.
   * Default 8443, as the seed's firewall rules say.
   */
  GATEWAY_LISTEN_PORT: z
    .string()
    .default('8443')
    .refine((v) => v === 'off' || (/^\d{1,5}$/.test(v) && Number(v) <= 65535), {
      message: 'a port (0 = any free one) or "off"',
    })
    .transform((v) => (v === 'off' ? null : Number(v))),
  GATEWAY_LISTEN_HOST: z.string().default('0.0.0.0'),
  /** DNS names and IP addresses in the listener's server certificate (what PRIMARY_BACKEND_URL names). */
  GATEWAY_SERVER_NAMES: z
    .string()
    .default('localhost,127.0.0.1')
    .transform((v) =>
      v
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  /**
   * Lifetime of a gateway's client certificate (short-lived leaves; default 30 days). Gateways renew
   * at 2/3 of notBefore→notAfter, and notBefore is backdated 60 s: the 60 s floor puts the renewal 20 s
   * after issuance with 40 s left to retry — what end-to-end tests use; production keeps days.
   */
  GATEWAY_CERT_TTL_SECONDS: env.int(30 * 86_400, 60),
  /** Lifetime of the listener's server certificate, renewed in place at 2/3 of it (no restart). */
  GATEWAY_SERVER_CERT_TTL_SECONDS: env.int(30 * 86_400, 3600),
  GATEWAY_BOOTSTRAP_TOKEN_TTL_SECONDS: env.int(24 * 3600, 60),
  /** Told to gateways at enrollment: how often they heartbeat. */
  GATEWAY_HEARTBEAT_INTERVAL_SECONDS: env.int(60, 1),
  /** How long a polled task stays leased to its gateway before it is delivered again (attempt + 1). */
  GATEWAY_TASK_LEASE_SECONDS: env.int(60, 1),
  /** Deliveries of a task before it fails with `max_attempts_exceeded`. */
  GATEWAY_TASK_MAX_ATTEMPTS: env.int(5, 1),
  /**
   * Bytes of secret paths and values one poll answer carries (sync-secrets): a sync of an environment
   * larger than this fails `sync_payload_too_large` at once instead of being retried; tasks beyond it
   * in one poll wait for the next. Its ceiling keeps the sealed answer under the contract's limit.
   */
  GATEWAY_SYNC_MAX_BYTES: env
    .int(GATEWAY_TASK_SECRETS_MAX_BYTES, 1)
    .pipe(z.number().max(GATEWAY_TASK_SECRETS_MAX_BYTES)),
} as const;
