import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

export const AUTHENTICATED_KEY = 'mazevault:authenticated';

/**
 * Declares that a controller's handlers need a bearer credential. Enforcement is global (AuthGuard
 * then PolicyGuard run for every route, so a forgotten decorator still denies); this marks the intent
 * for readers, OpenAPI and the `mazevault/require-auth-guard` lint rule.
 */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(AUTHENTICATED_KEY, true),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'missing, invalid, expired or revoked bearer token (problem+json)',
    }),
    ApiForbiddenResponse({ description: 'the policy decision point denied the action (problem+json)' }),
  );
