import { z } from 'zod';
import { plainText } from './text.schema';

/**
 * The gateway ↔ Primary protocol (HTTPS on the Primary's mTLS listener): registration with a one-time
 * bootstrap token and a CSR, heartbeats every 60 s, polling for tasks, task results, and the write
 * queue a gateway kept while the Primary was away. Messages name things by id; a secret value only
 * ever travels as a compact JWE encrypted to the Primary's key (end to end, beside the mTLS). Every
 * schema is strict: an undeclared field is refused.
 */

/** Environment codes as the deployments name them (NPR, PRO, …). */
const EnvironmentCode = z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/);
const SemVer = z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,6}(?:-[0-9A-Za-z.-]{1,64})?$/);
/** A compact JWE (five base64url parts): ciphertext only, never the plaintext. */
const CompactJwe = z.string().max(1_048_576).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
/** A stable problem code (the `code` of a problem+json answer). */
const ProblemCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);
const PemCsr = z
  .string()
  .max(16_384)
  .regex(/^-----BEGIN CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE REQUEST-----\r?\n?$/);

export const GATEWAY_ROLES = ['active', 'dr-standby'] as const;

export const GatewayRegisterRequestSchema = z.strictObject({
  /** The one-time token from `POST /api/v1/gateways/bootstrap` (spent by this call). */
  bootstrapToken: z.string().min(20).max(512).regex(/^[A-Za-z0-9_.~-]+$/),
  name: plainText(1, 128),
  environment: EnvironmentCode,
  role: z.enum(GATEWAY_ROLES),
  /** PKCS#10 for the gateway's mTLS client certificate (its key never leaves the gateway). */
  csrPem: PemCsr,
  version: SemVer,
});
export type GatewayRegisterRequest = z.infer<typeof GatewayRegisterRequestSchema>;

export const GatewayRegisterResponseSchema = z.strictObject({
  gatewayId: z.uuid(),
  certificatePem: z.string().max(16_384),
  chainPem: z.string().max(65_536),
  /** The Primary's public key (JWK) that queued writes are encrypted to. */
  primaryEncryptionKey: z.strictObject({ kty: z.string(), crv: z.string().optional(), x: z.string().optional(), y: z.string().optional(), n: z.string().optional(), e: z.string().optional(), kid: z.string().max(128) }),
  heartbeatIntervalSeconds: z.number().int().min(5).max(3600),
});
export type GatewayRegisterResponse = z.infer<typeof GatewayRegisterResponseSchema>;

export const GatewayHeartbeatSchema = z.strictObject({
  gatewayId: z.uuid(),
  sentAt: z.iso.datetime(),
  version: SemVer,
  status: z.enum(['healthy', 'degraded']),
  /** Writes waiting in the gateway's queue (an alert fires above 1000). */
  writeQueueDepth: z.number().int().min(0),
  /** The gateway's view of the Primary (its circuit breaker). */
  primaryCircuit: z.enum(['closed', 'half-open', 'open']),
});
export type GatewayHeartbeat = z.infer<typeof GatewayHeartbeatSchema>;

export const GatewayHeartbeatAckSchema = z.strictObject({ serverTime: z.iso.datetime() });
export type GatewayHeartbeatAck = z.infer<typeof GatewayHeartbeatAckSchema>;

export const GatewayPollTasksRequestSchema = z.strictObject({
  gatewayId: z.uuid(),
  max: z.number().int().min(1).max(100),
});
export type GatewayPollTasksRequest = z.infer<typeof GatewayPollTasksRequestSchema>;

export const GATEWAY_TASK_TYPES = ['secret.sync', 'certificate.deliver', 'keyvault.sync', 'config.refresh'] as const;

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
