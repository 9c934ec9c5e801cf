import type { z } from 'zod';
import {
  GatewayBootstrapRequestSchema,
  GatewayHeartbeatAckSchema,
  GatewayHeartbeatSchema,
  GatewayPollTasksRequestSchema,
  GatewayPollTasksResponseSchema,
  GatewayPushWritesRequestSchema,
  GatewayPushWritesResponseSchema,
  GatewayRegisterRequestSchema,
  GatewayRegisterResponseSchema,
  GatewayTaskResultSchema,
} from './gateway.contract';
import { QUEUE_NAMES, QUEUE_PAYLOAD_SCHEMAS } from './queue.contract';

const ID = '6f1c1f0e-0000-4000-8000-000000000001';
const ID2 = '6f1c1f0e-0000-4000-8000-000000000002';
const AT = '2026-12-01T00:00:00.000Z';
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n';
const JWE = 'eyJhbGciOiJFQ0RILUVTIn0..bm9uY2U.Y2lwaGVydGV4dA.dGFn';
const scope = { organizationId: ID, projectId: ID, environmentId: ID };

/** A valid message of each queue and each gateway message: every one must parse as written. */
const QUEUE_SAMPLES: Record<string, unknown> = {
  [QUEUE_NAMES.secretRotation]: {
    ...scope,
    secretId: ID2,
    requestedBy: { actorType: 'user', actorId: ID2, requestId: 'req-1' },
  },
  [QUEUE_NAMES.keyVaultSync]: { ...scope, syncRuleId: ID2 },
  [QUEUE_NAMES.crlPresign]: { caId: ID },
  [QUEUE_NAMES.ocspPresign]: { caId: ID, serials: ['0a1b2c'] },
  [QUEUE_NAMES.certificateExpiry]: { windowSeconds: 30 * 86_400 },
  [QUEUE_NAMES.certificateRenewal]: { organizationId: ID, certificateId: ID2 },
  [QUEUE_NAMES.auditFanOut]: { eventIds: ['1', '42'] },
  [QUEUE_NAMES.gatewayTaskDispatch]: { gatewayId: ID, taskId: ID2 },
};

const JWK = { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43), kid: 'k1' };
const E2EE_KEYS = { signing: JWK, encryption: { ...JWK, kid: 'k2' } };
const write = { writeId: ID2, sequence: 1, queuedAt: AT, ...scope, path: 'db/password' };
const GATEWAY_SAMPLES: [string, z.ZodType, Record<string, unknown>][] = [
  [
    'bootstrap',
    GatewayBootstrapRequestSchema,
    { name: 'azure-gateway-gwc-01', environment: 'PRO', role: 'dr-standby' },
  ],
  [
    'register',
    GatewayRegisterRequestSchema,
    { token: 'mvgb_' + 'a'.repeat(40), csr: CSR, version: '1.5.0', e2ee: E2EE_KEYS },
  ],
  [
    'register answer',
    GatewayRegisterResponseSchema,
    {
      gatewayId: ID,
      environment: 'NPR',
      role: 'primary',
      certificatePem: 'pem',
      chainPem: 'pem',
      notAfter: AT,
      heartbeatIntervalSeconds: 60,
      primaryE2ee: E2EE_KEYS,
    },
  ],
  [
    'heartbeat',
    GatewayHeartbeatSchema,
    {
      sentAt: AT,
      version: '1.5.0',
      environment: 'NPR',
      role: 'primary',
      status: 'healthy',
      primaryCircuit: 'closed',
      consecutiveFailures: 0,
      certificateNotAfter: AT,
      writeQueueDepth: 0,
    },
  ],
  ['heartbeat ack', GatewayHeartbeatAckSchema, { serverTime: AT, active: true, epoch: 3 }],
  ['poll tasks', GatewayPollTasksRequestSchema, { max: 10, waitSeconds: 20 }],
  [
    'tasks',
    GatewayPollTasksResponseSchema,
    {
      epoch: 3,
      tasks: [
        {
          taskId: ID2,
          idempotencyKey: `task:${ID2}`,
          epoch: 3,
          attempt: 1,
          issuedAt: AT,
          params: { kind: 'rotate-vault-secret', projectId: ID, environmentId: ID, path: 'db/password' },
        },
      ],
    },
  ],
  [
    'task result',
    GatewayTaskResultSchema,
    {
      taskId: ID2,
      idempotencyKey: `task:${ID2}`,
      epoch: 3,
      status: 'failed',
      finishedAt: AT,
      errorCode: 'keyvault_unavailable',
    },
  ],
  [
    'push writes',
    GatewayPushWritesRequestSchema,
    {
      gatewayId: ID,
      writes: [
        { ...write, operation: 'secret.write', jwe: JWE },
        { ...write, sequence: 2, operation: 'secret.delete' },
      ],
    },
  ],
  [
    'push writes answer',
    GatewayPushWritesResponseSchema,
    { accepted: [ID2], rejected: [{ writeId: ID, code: 'cas_mismatch' }] },
  ],
];

// Fields a careless producer might add to carry a value along: each must be refused, not stripped.
const PLAINTEXT_FIELDS = {
  value: 'hunter2',
  plaintext: 'hunter2',
  secret: 'hunter2',
  privateKeyPem: '-----BEGIN PRIVATE KEY-----',
};

describe('queue payloads', () => {
  it('has a schema and a sample for every queue', () => {
    expect(Object.keys(QUEUE_PAYLOAD_SCHEMAS).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(Object.keys(QUEUE_SAMPLES).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
  });

  it.each(Object.values(QUEUE_NAMES))('%s accepts ids and refuses any other field', (queue) => {
    const schema = QUEUE_PAYLOAD_SCHEMAS[queue];
    const sample = QUEUE_SAMPLES[queue] as Record<string, unknown>;
    expect(schema.parse(sample)).toEqual(sample);
    for (const [field, value] of Object.entries(PLAINTEXT_FIELDS))
      expect(schema.safeParse({ ...sample, [field]: value }).success).toBe(false);
  });

  it('refuses what is not an id where an id belongs', () => {
    expect(QUEUE_PAYLOAD_SCHEMAS[QUEUE_NAMES.crlPresign].safeParse({ caId: 'hunter2' }).success).toBe(false);
    expect(
      QUEUE_PAYLOAD_SCHEMAS[QUEUE_NAMES.auditFanOut].safeParse({ eventIds: ['1; DROP TABLE'] }).success,
    ).toBe(false);
  });
});

describe('gateway messages', () => {
  it("defaults a one-field bootstrap (the seed's call) to NPR / primary and refuses unknown values", () => {
    expect(GatewayBootstrapRequestSchema.parse({ name: 'azure-gateway-gwc-01' })).toEqual({
      name: 'azure-gateway-gwc-01',
      environment: 'NPR',
      role: 'primary',
    });
    expect(GatewayBootstrapRequestSchema.safeParse({ name: 'gw', environment: 'DEV' }).success).toBe(false);
    expect(GatewayBootstrapRequestSchema.safeParse({ name: 'gw', role: 'active' }).success).toBe(false);
  });

  it.each(GATEWAY_SAMPLES)('%s accepts its fields and refuses any other', (_name, schema, sample) => {
    expect(schema.parse(sample)).toEqual(sample);
    for (const [field, value] of Object.entries(PLAINTEXT_FIELDS))
      expect(schema.safeParse({ ...sample, [field]: value }).success).toBe(false);
  });

  it('requires the E2EE public keys both ways at registration, and public members only', () => {
    const { e2ee: _keys, ...withoutKeys } = GATEWAY_SAMPLES[1]![2];
    expect(GatewayRegisterRequestSchema.safeParse(withoutKeys).success).toBe(false);
    const withPrivate = {
      ...GATEWAY_SAMPLES[1]![2],
      e2ee: { ...E2EE_KEYS, signing: { ...JWK, d: 'd'.repeat(43) } },
    };
    expect(GatewayRegisterRequestSchema.safeParse(withPrivate).success).toBe(false);
    const { primaryE2ee: _primary, ...answer } = GATEWAY_SAMPLES[2]![2];
    expect(GatewayRegisterResponseSchema.safeParse(answer).success).toBe(false);
  });

  it('carries a queued write only encrypted, and nothing else in a write', () => {
    const queued = (extra: Record<string, unknown>) =>
      GatewayPushWritesRequestSchema.safeParse({
        gatewayId: ID,
        writes: [{ ...write, operation: 'secret.write', jwe: JWE, ...extra }],
      }).success;
    expect(queued({})).toBe(true);
    expect(queued({ jwe: '{"value":"hunter2"}' })).toBe(false);
    expect(queued({ jwe: undefined })).toBe(false);
    expect(queued({ value: 'hunter2' })).toBe(false);
    expect(
      GatewayPushWritesRequestSchema.safeParse({
        gatewayId: ID,
        writes: [{ ...write, operation: 'secret.delete', jwe: JWE }],
      }).success,
    ).toBe(false);
  });

  it('reports a failed task by code only', () => {
    const result = { taskId: ID2, idempotencyKey: 'k', epoch: 0, status: 'failed', finishedAt: AT };
    expect(
      GatewayTaskResultSchema.safeParse({ ...result, errorCode: 'could not write hunter2 to db/password' })
        .success,
    ).toBe(false);
    expect(GatewayTaskResultSchema.safeParse({ ...result, detail: 'hunter2' }).success).toBe(false);
  });
});
