import { z } from 'zod';
import { GATEWAY_ENVIRONMENTS } from './gateway.contract';
import { plainText } from './text.schema';

const ROLE_NAMES = ['admin', 'security-officer', 'project-admin', 'developer', 'viewer', 'auditor'] as const;

export const CreateOrganizationRequestSchema = z.strictObject({
  slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'lower-case letters, digits and inner hyphens, at most 63',
  }),
  name: plainText(1, 200),
});
export type CreateOrganizationRequest = z.infer<typeof CreateOrganizationRequestSchema>;

/** The first (or another) admin of an organization, created by a platform admin; the password is generated and shown once. */
export const CreateOrganizationAdminRequestSchema = z.strictObject({
  email: z.email().max(320),
  displayName: plainText(0, 200).optional(),
});
export type CreateOrganizationAdminRequest = z.infer<typeof CreateOrganizationAdminRequestSchema>;

export const CreateUserRequestSchema = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(12, { message: 'at least 12 characters' }).max(1024),
  displayName: plainText(0, 200).optional(),
  /** Defaults to the caller's organization; another organization needs a platform admin. */
  organizationId: z.uuid().optional(),
  /** An organization-wide role granted on creation. */
  role: z.enum(ROLE_NAMES).optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

const SLUG = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: 'lower-case letters, digits and inner hyphens, at most 63',
});

/** A project or environment named as in URL paths: its id or its slug (resolved in the caller's organization). */
const SCOPE_REF = z.union([z.uuid(), SLUG]).meta({ description: 'an id or a slug' });

export const CreateRoleBindingRequestSchema = z
  .strictObject({
    userId: z.uuid(),
    role: z.enum(ROLE_NAMES),
    projectId: SCOPE_REF.optional(),
    environmentId: SCOPE_REF.optional(),
  })
  .refine((b) => !b.environmentId || b.projectId, {
    message: 'environmentId needs projectId',
    path: ['environmentId'],
  });
export type CreateRoleBindingRequest = z.infer<typeof CreateRoleBindingRequestSchema>;

export const CreateApiTokenRequestSchema = z
  .strictObject({
    name: plainText(1, 100),
    permissions: z
      .array(z.string().regex(/^[a-z]+:[a-z]+$/))
      .min(1)
      .max(32),
    projectId: SCOPE_REF.optional(),
    environmentId: SCOPE_REF.optional(),
    expiresInDays: z.number().int().min(1).max(3650).default(90),
  })
  .refine((b) => !b.environmentId || b.projectId, {
    message: 'environmentId needs projectId',
    path: ['environmentId'],
  });
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequestSchema>;

export const CreateProjectRequestSchema = z.strictObject({
  slug: SLUG,
  name: plainText(1, 200),
  /** Environments created with the project (default dev, test, prod). */
  environments: z.array(SLUG).max(20).default(['dev', 'test', 'prod']),
});
export type CreateProjectRequest = z.infer<typeof CreateProjectRequestSchema>;

/**
 * Which gateway environment may receive an environment's secrets (NPR or PRO); null (the default):
 * no gateway may.
 */
const GatewayClassification = z.enum(GATEWAY_ENVIRONMENTS).nullable();

export const CreateEnvironmentRequestSchema = z.strictObject({
  slug: SLUG,
  name: plainText(1, 200).optional(),
  gatewayEnvironment: GatewayClassification.optional(),
});
export type CreateEnvironmentRequest = z.infer<typeof CreateEnvironmentRequestSchema>;

/** `PATCH /projects/:p/environments/:e`: the display name and/or the gateway classification. */
export const UpdateEnvironmentRequestSchema = z
  .strictObject({
    name: plainText(1, 200).optional(),
    gatewayEnvironment: GatewayClassification.optional(),
  })
  .refine((b) => b.name !== undefined || b.gatewayEnvironment !== undefined, {
    message: 'name or gatewayEnvironment is required',
  });
export type UpdateEnvironmentRequest = z.infer<typeof UpdateEnvironmentRequestSchema>;

/** `PATCH /projects/:p`: the display name (the slug, used in paths and URIs, never changes). */
export const RenameRequestSchema = z.strictObject({ name: plainText(1, 200) });
export type RenameRequest = z.infer<typeof RenameRequestSchema>;

/** `DELETE /projects/:p` and `DELETE /projects/:p/environments/:e`: `force=true` deletes the secrets in it too. */
export const DeleteScopeQuerySchema = z.strictObject({ force: z.enum(['true', 'false']).optional() });
export type DeleteScopeQuery = z.infer<typeof DeleteScopeQuerySchema>;

export const ChangePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(12, { message: 'at least 12 characters' }).max(1024),
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

/** `GET /api/v1/audit/events` filters (query string); every one optional, combined with AND. */
export const AuditEventsQuerySchema = z.strictObject({
  action: plainText(1, 128).optional(),
  actorType: plainText(1, 32).optional(),
  actorId: plainText(1, 128).optional(),
  resourceType: plainText(1, 64).optional(),
  /** A clear reference (a secret path, an email); matched as stored (masked when TENANT_SALT is set). */
  resourceRef: plainText(1, 1024).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  /** ISO 8601 instants: from (inclusive), to (exclusive). */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Cursor: events older than this event id (the `nextCursor` of the previous page). */
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, { message: 'an event id' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Another organization's events (platform admin). */
  organizationId: z.uuid().optional(),
  /** `true`: events with no organization (anonymous calls), for a platform admin. */
  unscoped: z.enum(['true', 'false']).optional(),
});
export type AuditEventsQuery = z.infer<typeof AuditEventsQuerySchema>;
