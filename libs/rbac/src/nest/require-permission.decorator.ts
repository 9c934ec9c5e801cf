import { SetMetadata } from '@nestjs/common';
import type { Resource } from '../authorization.types';
import { isPermission, type Permission } from '../permission.constant';
import { placeOf } from '../resolved-scope';
import type { Scope } from '../scope';
import type { AuthenticatedRequest } from './request-with-principal.type';

export const REQUIRE_PERMISSION_KEY = 'mazevault:rbac:require-permission';

/** Looks up the app's providers (e.g. a service that knows a certificate's project). */
export interface ResolverServices {
  get<T>(token: abstract new (...args: never[]) => T): T;
}

/**
 * Derives the resource being acted on from the request; may load it (e.g. a certificate's project)
 * through `services`, so the decision is taken on the resource's real scope, not the route's.
 */
export type ResourceResolver = (
  request: AuthenticatedRequest,
  services: ResolverServices,
) => Resource | Promise<Resource>;

export interface PermissionRequirement {
  permission: Permission;
  resolveResource: ResourceResolver;
}

/**
 * Default: the scope resolved for the request (ids checked to be the caller's organization's) when the
 * app resolved one; else the organization/project/environment named by the route params (`:orgId`,
 * `:projectId`, `:environmentId`), falling back to the principal's own organization. `:orgId` (a
 * platform route naming another organization) always wins. Unset keys are omitted.
 */
export const defaultResourceResolver: ResourceResolver = (request) => {
  const params = request.params ?? {};
  const resolved = request.resolvedScope;
  const scope: Scope = resolved ? placeOf(resolved) : { organizationId: request.principal.organizationId };
  if (!resolved) {
    if (params['projectId'] !== undefined) scope.projectId = params['projectId'];
    if (params['environmentId'] !== undefined) scope.environmentId = params['environmentId'];
  }
  if (params['orgId'] !== undefined) scope.organizationId = params['orgId'];
  return { type: 'organization', scope };
};

/**
 * Declares the permission a handler (or every handler of a controller) needs. Handler metadata
 * overrides controller metadata. Validated at decoration time so a bad literal fails at boot.
 */
export function RequirePermission(permission: Permission, resourceResolver?: ResourceResolver) {
  if (!isPermission(permission))
    throw new Error(`RequirePermission: unknown permission ${String(permission)}`);
  const requirement: PermissionRequirement = {
    permission,
    resolveResource: resourceResolver ?? defaultResourceResolver,
  };
  return SetMetadata(REQUIRE_PERMISSION_KEY, requirement);
}
