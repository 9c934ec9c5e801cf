import { z } from 'zod';
import { plainText } from './text.schema';

/**
 * The gateway ↔ Primary protocol (HTTPS on the Primary's mTLS listener): registration with a one-time
 * bootstrap token and a CSR, heartbeats every 60 s (part 1 builds these two), polling for tasks, task results, and the write
 * queue a gateway kept while the Primary was away. Messages name things by id; a secret value only
 * ever travels as a compact JWE encrypted to the Primary's key (end to end, beside the mTLS). Every
 * schema is strict: an undeclared field is refused.
 */

const SemVer = z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,6}(?:-[0-9A-Za-z.-]{1,64})?$/);
/** A compact JWE (five base64url parts): ciphertext only, never the plaintext. */
const CompactJwe = z
  .string()
  .max(1_048_576)
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

/** `POST /api/v1/gateways/register` on the gateway listener: the only call made without a client certificate. */
export const GatewayRegisterRequestSchema = z.strictObject({
  /** The one-time token from `POST /api/v1/gateways/bootstrap` (spent by this call). */
  token: BootstrapToken,
  /** PKCS#10 for the gateway's mTLS client certificate (its key never leaves the gateway); no names. */
  csr: PemCsr,
  version: SemVer.optional(),
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
});
export type GatewayRegisterResponse = z.infer<typeof GatewayRegisterResponseSchema>;

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

export const GatewayHeartbeatAckSchema = z.strictObject({ serverTime: z.iso.datetime() });
export type GatewayHeartbeatAck = z.infer<typeof GatewayHeartbeatAckSchema>;

export const GatewayPollTasksRequestSchema = z.strictObject({
  gatewayId: z.uuid(),
  max: z.number().int().min(1).max(100),
});
export type GatewayPollTasksRequest = z.infer<typeof GatewayPollTasksRequestSchema>;

export const GATEWAY_TASK_TYPES = [
  'secret.sync',
  'certificate.deliver',
  'keyvault.sync',
  'config.refresh',
] as const;

export const GatewayTaskSchema = z.strictObject({
  taskId: z.uuid(),
  type: z.enum(GATEWAY_TASK_TYPES),
  issuedAt: z.iso.datetime(),
  organizationId: z.uuid(),
  projectId: z.uuid().optional(),
  environmentId: z.uuid().optional(),
  /** The resource the task is about (a secret, a certificate, a sync rule). */
  resourceId: z.uuid().optional(),
});
export type GatewayTask = z.infer<typeof GatewayTaskSchema>;

export const GatewayPollTasksResponseSchema = z.strictObject({ tasks: z.array(GatewayTaskSchema).max(100) });
export type GatewayPollTasksResponse = z.infer<typeof GatewayPollTasksResponseSchema>;

export const GatewayTaskResultSchema = z.strictObject({
  gatewayId: z.uuid(),
  taskId: z.uuid(),
  status: z.enum(['succeeded', 'failed']),
  finishedAt: z.iso.datetime(),
  /** Why it failed, as a stable code only (free text could carry what it was working on). */
  errorCode: ProblemCode.optional(),
});
export type GatewayTaskResult = z.infer<typeof GatewayTaskResultSchema>;

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
