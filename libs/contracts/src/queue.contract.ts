import { z } from 'zod';

/**
 * The BullMQ queues the worker consumes, and their job payloads. A payload names what to work on by
 * id only — never a secret value, a key or a certificate's private part: jobs sit in Redis, where
 * nothing secret may be. Every schema is strict, so a field that is not declared here (a `value`
 * someone tried to pass along) is refused, not silently carried.
 */
export const QUEUE_NAMES = {
  secretRotation: 'mazevault.secret-rotation',
  keyVaultSync: 'mazevault.keyvault-sync',
  crlPresign: 'mazevault.crl-presign',
  ocspPresign: 'mazevault.ocsp-presign',
  certificateExpiry: 'mazevault.certificate-expiry',
  certificateRenewal: 'mazevault.certificate-renewal',
  auditFanOut: 'mazevault.audit-fan-out',
  gatewayTaskDispatch: 'mazevault.gateway-task-dispatch',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** An audit_events id (bigint, as text). */
const AuditEventId = z.string().regex(/^[1-9]\d{0,18}$/);
/** A certificate serial number, lower-case hex as stored. */
const SerialHex = z.string().regex(/^[0-9a-f]{2,40}$/);
/** Who asked for the job (for its audit event), when a person or token did. */
const RequestedBy = z.strictObject({
  actorType: z.enum(['user', 'api_token', 'system']),
  actorId: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,128}$/)
    .nullable(),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .nullable(),
});

export const SecretRotationJobSchema = z.strictObject({
  organizationId: z.uuid(),
  projectId: z.uuid(),
  environmentId: z.uuid(),
  secretId: z.uuid(),
  requestedBy: RequestedBy.optional(),
});
export type SecretRotationJob = z.infer<typeof SecretRotationJobSchema>;

export const KeyVaultSyncJobSchema = z.strictObject({
  organizationId: z.uuid(),
  projectId: z.uuid(),
  environmentId: z.uuid(),
  syncRuleId: z.uuid(),
  requestedBy: RequestedBy.optional(),
});
export type KeyVaultSyncJob = z.infer<typeof KeyVaultSyncJobSchema>;

export const CrlPresignJobSchema = z.strictObject({ caId: z.uuid() });
export type CrlPresignJob = z.infer<typeof CrlPresignJobSchema>;

/** Pre-sign OCSP answers of a CA: for the given serials (a revocation), or all its certificates. */
export const OcspPresignJobSchema = z.strictObject({
  caId: z.uuid(),
  serials: z.array(SerialHex).min(1).max(1000).optional(),
});
export type OcspPresignJob = z.infer<typeof OcspPresignJobSchema>;

/** Scan for certificates expiring within the window (one organization, or every one). */
export const CertificateExpiryJobSchema = z.strictObject({
  organizationId: z.uuid().optional(),
  windowSeconds: z
    .number()
    .int()
    .min(60)
    .max(366 * 86_400),
});
export type CertificateExpiryJob = z.infer<typeof CertificateExpiryJobSchema>;

export const CertificateRenewalJobSchema = z.strictObject({
  organizationId: z.uuid(),
  certificateId: z.uuid(),
  requestedBy: RequestedBy.optional(),
});
export type CertificateRenewalJob = z.infer<typeof CertificateRenewalJobSchema>;

/** Ship committed audit events to the export sinks (SIEM, WORM storage): the rows are read by id. */
export const AuditFanOutJobSchema = z.strictObject({
  eventIds: z.array(AuditEventId).min(1).max(1000),
});
export type AuditFanOutJob = z.infer<typeof AuditFanOutJobSchema>;

/** A task queued for a gateway: the gateway picks it up by polling; the task row holds the rest. */
export const GatewayTaskDispatchJobSchema = z.strictObject({
  gatewayId: z.uuid(),
  taskId: z.uuid(),
});
export type GatewayTaskDispatchJob = z.infer<typeof GatewayTaskDispatchJobSchema>;

/** Each queue's payload schema, so a producer and the consumer cannot disagree. */
export const QUEUE_PAYLOAD_SCHEMAS = {
  [QUEUE_NAMES.secretRotation]: SecretRotationJobSchema,
  [QUEUE_NAMES.keyVaultSync]: KeyVaultSyncJobSchema,
  [QUEUE_NAMES.crlPresign]: CrlPresignJobSchema,
  [QUEUE_NAMES.ocspPresign]: OcspPresignJobSchema,
  [QUEUE_NAMES.certificateExpiry]: CertificateExpiryJobSchema,
  [QUEUE_NAMES.certificateRenewal]: CertificateRenewalJobSchema,
  [QUEUE_NAMES.auditFanOut]: AuditFanOutJobSchema,
  [QUEUE_NAMES.gatewayTaskDispatch]: GatewayTaskDispatchJobSchema,
} as const satisfies Record<QueueName, z.ZodType>;
