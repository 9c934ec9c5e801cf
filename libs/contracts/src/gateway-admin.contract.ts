import { z } from 'zod';
import { GATEWAY_ENVIRONMENTS, GATEWAY_ROLES } from './gateway.contract';
import { plainText } from './text.schema';

/**
 * The admin API's side of gateway tasks and failover (on the admin port, bearer-authenticated):
 * queueing tasks, reading them, and the DR failover of a gateway environment.
 */

const IdempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits, "_", ".", ":" and "-"');

/**
 * `POST /api/v1/gateways/tasks`. A task about a project environment takes its gateway environment from
 * that environment's classification (never from the caller); a ping names the gateway environment.
 */
export const CreateGatewayTaskRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ping'),
    environment: z.enum(GATEWAY_ENVIRONMENTS),
    idempotencyKey: IdempotencyKey.optional(),
  }),
  z.strictObject({
    kind: z.literal('sync-secrets'),
    projectId: z.uuid(),
    environmentId: z.uuid(),
    idempotencyKey: IdempotencyKey.optional(),
  }),
  z.strictObject({
    kind: z.literal('rotate-vault-secret'),
    projectId: z.uuid(),
    environmentId: z.uuid(),
    path: plainText(1, 512),
    idempotencyKey: IdempotencyKey.optional(),
  }),
]);
export type CreateGatewayTaskRequest = z.infer<typeof CreateGatewayTaskRequestSchema>;

export const GATEWAY_TASK_STATUSES = ['queued', 'leased', 'succeeded', 'failed'] as const;
export type GatewayTaskStatusName = (typeof GATEWAY_TASK_STATUSES)[number];

/** `GET /api/v1/gateways/tasks`: the most recent tasks, newest first. */
export const GatewayTasksQuerySchema = z.strictObject({
  status: z.enum(GATEWAY_TASK_STATUSES).optional(),
  environment: z.enum(GATEWAY_ENVIRONMENTS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type GatewayTasksQuery = z.infer<typeof GatewayTasksQuerySchema>;

export interface GatewayTaskView {
  id: string;
  kind: string;
  environment: string;
  params: Record<string, unknown>;
  idempotencyKey: string;
  status: GatewayTaskStatusName;
  attempt: number;
  leasedByGatewayId: string | null;
  leaseEpoch: number | null;
  leaseExpiresAt: string | null;
  errorCode: string | null;
  /** A summary without values (counts, versions). */
  output: Record<string, unknown> | null;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** The `{env}` of `/api/v1/admin/failover/{env}`. */
export const GatewayEnvironmentParamSchema = z.enum(GATEWAY_ENVIRONMENTS);

export interface GatewayFailoverView {
  environment: string;
  activeRole: (typeof GATEWAY_ROLES)[number];
  /** Bumped on every change: leases and results of an earlier epoch are refused. */
  epoch: number;
  drActive: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface GatewayFailoverChange extends GatewayFailoverView {
  /** False when the environment was already in the asked state (nothing changed, epoch unchanged). */
  changed: boolean;
  /** Tasks leased by the fenced role's gateways, put back in the queue. */
  requeuedTasks: number;
}
