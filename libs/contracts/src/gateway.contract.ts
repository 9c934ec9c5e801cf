import { z } from 'zod';
import { plainText } from './text.schema';

/**
 * The gateway ↔ Primary protocol (HTTPS on the Primary's mTLS listener): registration with a one-time
 * bootstrap token and a CSR, heartbeats every 60 s, polling for tasks, task results, and the write
 * queue a gateway kept while the Primary was away. Messages name things by id; a secret value only
 * ever travels inside a JWE encrypted to the recipient's E2EE key (end to end, beside the mTLS).
 * Every schema is strict: an undeclared field is refused.
 */

const SemVer = z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,6}(?:-[0-9A-Za-z.-]{1,64})?$/);
/**
 * Bytes of secret paths and values one sealed poll answer may carry. Signing and encrypting grow a
 * message by about 16/9 (base64url twice), so 6 MiB stays under the sealed message's 16 MiB.
 */
export const GATEWAY_TASK_SECRETS_MAX_BYTES = 6 * 1024 * 1024;
const SEALED_MESSAGE_MAX_CHARS = 16 * 1024 * 1024;

/** A compact JWE (five base64url parts): ciphertext only, never the plaintext. */
const CompactJwe = z
  .string()
  .max(SEALED_MESSAGE_MAX_CHARS)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
/** A stable problem code (the `code` of a problem+json answer). */
const ProblemCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);
const PemCsr = z
  .string()
  .max(16_384)
  .regex(
    /^-----BEGIN CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE REQUEST-----\r?\n?$/,
  );

/** `primary` polls for tasks; `dr-standby` heartbeats only, until a failover activates it. */
export const GATEWAY_ROLES = ['primary', 'dr-standby'] as const;
export type GatewayRole = (typeof GATEWAY_ROLES)[number];
/** The deployment environments a gateway serves; an NPR gateway never sees PRO data. */
export const GATEWAY_ENVIRONMENTS = ['NPR', 'PRO'] as const;
export type GatewayEnvironment = (typeof GATEWAY_ENVIRONMENTS)[number];

/**
 * A bootstrap token: `mvgb_` + 256 random bits (base64url) + `.` + the platform CA's SHA-256 fingerprint
 * (hex), which the gateway pins. Shown once, stored as SHA-256.
 */
export const GATEWAY_BOOTSTRAP_TOKEN_PREFIX = 'mvgb_';
const BootstrapToken = z
  .string()
  .min(20)
  .max(512)
  .regex(/^[A-Za-z0-9_.~-]+$/);

/**
 * `POST /api/v1/gateways/bootstrap` (admin API). The seed's one-field call works: the environment
 * defaults to NPR (the less privileged one: a gateway enrolled with too little is harmless, one with
 * too much is not) and the role to `primary`.
 */
export const GatewayBootstrapRequestSchema = z.strictObject({
  name: plainText(1, 128).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"'),
  environment: z.enum(GATEWAY_ENVIRONMENTS).default('NPR'),
  role: z.enum(GATEWAY_ROLES).default('primary'),
});
export type GatewayBootstrapRequest = z.infer<typeof GatewayBootstrapRequestSchema>;

export interface GatewayBootstrapResponse {
  gatewayId: string;
  name: string;
  environment: GatewayEnvironment;
  role: GatewayRole;
  /** The one-time token (returned once). */
  token: string;
  expiresAt: string;
  /** The platform CA the gateway pins the Primary's listener to (no `curl -k`). */
  platformCaCertificatePem: string;
  /** SHA-256 of the platform CA certificate (DER), hex. */
  platformCaFingerprint: string;
}

/** A public EC P-256 key as a JWK (RFC 7517): the E2EE keys each side publishes at registration. */
export const PublicEcJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
    .optional(),
});
export type PublicEcJwk = z.infer<typeof PublicEcJwkSchema>;

/**
 * One side's end-to-end encryption keys, apart from its TLS keys (so even whoever holds the TLS keys,
 * e.g. a TLS-terminating proxy, can neither read nor forge): ES256 signing and ECDH-ES+A256KW.
 */
export const GatewayE2eeKeysSchema = z.strictObject({
  signing: PublicEcJwkSchema,
  encryption: PublicEcJwkSchema,
});
export type GatewayE2eeKeys = z.infer<typeof GatewayE2eeKeysSchema>;

/** `POST /api/v1/gateways/register` on the gateway listener: the only call made without a client certificate. */
export const GatewayRegisterRequestSchema = z.strictObject({
  /** The one-time token from `POST /api/v1/gateways/bootstrap` (spent by this call). */
  token: BootstrapToken,
  /** PKCS#10 for the gateway's mTLS client certificate (its key never leaves the gateway); no names. */
  csr: PemCsr,
  version: SemVer.optional(),
  /** The gateway's E2EE public keys (their private halves stay sealed in the gateway's database). */
  e2ee: GatewayE2eeKeysSchema,
});
export type GatewayRegisterRequest = z.infer<typeof GatewayRegisterRequestSchema>;

export const GatewayRegisterResponseSchema = z.strictObject({
  gatewayId: z.uuid(),
  environment: z.enum(GATEWAY_ENVIRONMENTS),
  role: z.enum(GATEWAY_ROLES),
  certificatePem: z.string().max(16_384),
  chainPem: z.string().max(65_536),
  notAfter: z.iso.datetime(),
  heartbeatIntervalSeconds: z.number().int().min(1).max(3600),
  /** The Primary's E2EE public keys, which the gateway stores beside its identity. */
  primaryE2ee: GatewayE2eeKeysSchema,
});
export type GatewayRegisterResponse = z.infer<typeof GatewayRegisterResponseSchema>;

/**
 * `POST /api/v1/gateway/certificate/renew` over mTLS: a CSR for a NEW key (same rules as registration:
 * no names), answered with a certificate for the same gateway; from then on only the new serial is accepted.
 */
export const GatewayRenewCertificateRequestSchema = z.strictObject({ csr: PemCsr });
export type GatewayRenewCertificateRequest = z.infer<typeof GatewayRenewCertificateRequestSchema>;

export const GatewayRenewCertificateResponseSchema = z.strictObject({
  certificatePem: z.string().max(16_384),
  chainPem: z.string().max(65_536),
  notAfter: z.iso.datetime(),
});
export type GatewayRenewCertificateResponse = z.infer<typeof GatewayRenewCertificateResponseSchema>;

/** `POST /api/v1/gateway/heartbeat` over mTLS: who is sending comes from the client certificate. */
export const GatewayHeartbeatSchema = z.strictObject({
  sentAt: z.iso.datetime(),
  version: SemVer,
  environment: z.enum(GATEWAY_ENVIRONMENTS),
  role: z.enum(GATEWAY_ROLES),
  status: z.enum(['healthy', 'degraded']),
  /** The gateway's view of the Primary (its circuit breaker). */
  primaryCircuit: z.enum(['closed', 'half-open', 'open']),
  consecutiveFailures: z.number().int().min(0).max(1_000_000),
  certificateNotAfter: z.iso.datetime(),
  /** Writes waiting in the gateway's queue (the data plane; an alert fires above 1000). */
  writeQueueDepth: z.number().int().min(0),
});
export type GatewayHeartbeat = z.infer<typeof GatewayHeartbeatSchema>;

/**
 * The heartbeat's answer: whether this gateway is its environment's active task runner (the
 * `primary` gateway, or the `dr-standby` one after `activate-dr`) and the environment's fencing epoch.
 * A gateway polls only while `active`; tasks and results carry the epoch, and the Primary refuses any
 * from an epoch that is no longer current (a fenced gateway that comes back).
 */
export const GatewayHeartbeatAckSchema = z.strictObject({
  serverTime: z.iso.datetime(),
  active: z.boolean(),
  epoch: z.number().int().min(0),
});
export type GatewayHeartbeatAck = z.infer<typeof GatewayHeartbeatAckSchema>;

/**
 * Every listener message after registration travels as `{ jwe }`: a JWS (signed by the sender's E2EE
 * signing key) inside a JWE (encrypted to the recipient's E2EE key), so a proxy that terminates TLS
 * reads and forges nothing. The schemas below describe the message inside; only they may carry a
 * secret value, and only because they never leave the envelope.
 */
export const GatewaySealedMessageSchema = z.strictObject({ jwe: CompactJwe });
export type GatewaySealedMessage = z.infer<typeof GatewaySealedMessageSchema>;

/** The Primary's `iss` on what it seals for gateways. */
export const PRIMARY_E2EE_ISSUER = 'urn:mazevault:primary';
/** A gateway's `iss`: the same URN its client certificate carries. */
export const gatewayE2eeIssuer = (gatewayId: string): string => `urn:mazevault:gateway:${gatewayId}`;
/**
 * The `aud` of a sealed listener message: its recipient, route and direction, so a sealed heartbeat
 * cannot be replayed as a task result, nor a response as a request.
 */
export function gatewayE2eeAudience(
  path: string,
  direction: 'request' | 'response',
  gatewayId: string,
): string {
  return direction === 'request'
    ? `${PRIMARY_E2EE_ISSUER}:${path}:request`
    : `${gatewayE2eeIssuer(gatewayId)}:${path}:response`;
}
/** How long a sealed listener message is valid (its jti is remembered that long). */
export const GATEWAY_E2EE_TTL_SECONDS = 60;

/** The kinds of work the Primary queues for an environment's active gateway (later issues add more). */
export const GATEWAY_TASK_KINDS = ['ping', 'sync-secrets', 'rotate-vault-secret'] as const;
export type GatewayTaskKind = (typeof GATEWAY_TASK_KINDS)[number];

const SecretPath = plainText(1, 512);
/** What a task is about, by id (never a value): the Primary resolves material when it delivers. */
export const GatewayTaskParamsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ping') }),
  /** Push the environment's current secrets to its Project Key Vault (the `azure` strategy). */
  z.strictObject({ kind: z.literal('sync-secrets'), projectId: z.uuid(), environmentId: z.uuid() }),
  /** New random value for one secret in the Project Key Vault; the Primary records it as a new version. */
  z.strictObject({
    kind: z.literal('rotate-vault-secret'),
    projectId: z.uuid(),
    environmentId: z.uuid(),
    path: SecretPath,
  }),
]);
export type GatewayTaskParams = z.infer<typeof GatewayTaskParamsSchema>;

/** `POST /api/v1/gateway/tasks/poll` (sealed): long-polls up to `waitSeconds` for at most `max` tasks. */
export const GatewayPollTasksRequestSchema = z.strictObject({
  max: z.number().int().min(1).max(20),
  waitSeconds: z.number().int().min(0).max(30).default(0),
});
export type GatewayPollTasksRequest = z.infer<typeof GatewayPollTasksRequestSchema>;

/** One secret delivered for a `sync-secrets` task (inside the sealed answer only). */
export const GatewayTaskSecretSchema = z.strictObject({
  path: SecretPath,
  version: z.number().int().min(1),
  value: z.string().max(1_048_576),
});

export const GatewayTaskSchema = z.strictObject({
  taskId: z.uuid(),
  /** Stable across redeliveries: the gateway does a task's effect at most once per key. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  /** The environment's fencing epoch the task was leased under; the result must carry it back. */
  epoch: z.number().int().min(0),
  attempt: z.number().int().min(1),
  issuedAt: z.iso.datetime(),
  params: GatewayTaskParamsSchema,
  /**
   * For tasks about a project environment: `<project slug>/<environment slug>`, the prefix of every
   * Key Vault name the task touches, so the environments one Project Key Vault serves (all NPR ones
   * share the NPR vault) and their projects never overwrite each other's secrets.
   */
  vaultNamespace: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
    .optional(),
  /** For `sync-secrets`: the environment's current secrets, resolved at delivery, never stored with the task. */
  secrets: z.array(GatewayTaskSecretSchema).max(10_000).optional(),
});
export type GatewayTask = z.infer<typeof GatewayTaskSchema>;

export const GatewayPollTasksResponseSchema = z.strictObject({
  epoch: z.number().int().min(0),
  tasks: z.array(GatewayTaskSchema).max(20),
});
export type GatewayPollTasksResponse = z.infer<typeof GatewayPollTasksResponseSchema>;

/** What a finished task hands back (inside the sealed result). */
export const GatewayTaskOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ping') }),
  z.strictObject({
    kind: z.literal('sync-secrets'),
    written: z.number().int().min(0),
    unchanged: z.number().int().min(0),
  }),
  z.strictObject({
    kind: z.literal('rotate-vault-secret'),
    /** The new value (the Primary stores it as the secret's next version). */
    value: z.string().min(1).max(1_048_576),
    keyVaultVersion: z.string().max(128),
  }),
]);
export type GatewayTaskOutput = z.infer<typeof GatewayTaskOutputSchema>;

/** `POST /api/v1/gateway/tasks/result` (sealed). */
export const GatewayTaskResultSchema = z.strictObject({
  taskId: z.uuid(),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  epoch: z.number().int().min(0),
  status: z.enum(['succeeded', 'failed']),
  finishedAt: z.iso.datetime(),
  /** Why it failed, as a stable code only (free text could carry what it was working on). */
  errorCode: ProblemCode.optional(),
  output: GatewayTaskOutputSchema.optional(),
});
export type GatewayTaskResult = z.infer<typeof GatewayTaskResultSchema>;

export const GatewayTaskResultAckSchema = z.strictObject({
  taskId: z.uuid(),
  status: z.enum(['succeeded', 'failed', 'queued']),
  /** True when this result had already been recorded (a redelivery): nothing was applied twice. */
  duplicate: z.boolean(),
});
export type GatewayTaskResultAck = z.infer<typeof GatewayTaskResultAckSchema>;

const QueuedWriteFields = {
  /** The gateway_write_queues row id: the Primary applies each at most once. */
  writeId: z.uuid(),
  /** Order of the writes on the gateway (applied in this order). */
  sequence: z.number().int().min(1),
  queuedAt: z.iso.datetime(),
  organizationId: z.uuid(),
  projectId: z.uuid(),
  environmentId: z.uuid(),
  /** The secret's path within its environment (no value). */
  path: plainText(1, 512),
};

export const QueuedWriteSchema = z.discriminatedUnion('operation', [
  z.strictObject({
    ...QueuedWriteFields,
    operation: z.literal('secret.write'),
    /** The write itself (value, check-and-set version), encrypted to the Primary's key. */
    jwe: CompactJwe,
  }),
  z.strictObject({ ...QueuedWriteFields, operation: z.literal('secret.delete') }),
]);
export type QueuedWrite = z.infer<typeof QueuedWriteSchema>;

export const GatewayPushWritesRequestSchema = z.strictObject({
  gatewayId: z.uuid(),
  writes: z.array(QueuedWriteSchema).min(1).max(500),
});
export type GatewayPushWritesRequest = z.infer<typeof GatewayPushWritesRequestSchema>;

export const GatewayPushWritesResponseSchema = z.strictObject({
  accepted: z.array(z.uuid()),
  /** Refused writes (a check-and-set conflict, a path no longer allowed), each with its code. */
  rejected: z.array(z.strictObject({ writeId: z.uuid(), code: ProblemCode })),
});
export type GatewayPushWritesResponse = z.infer<typeof GatewayPushWritesResponseSchema>;
