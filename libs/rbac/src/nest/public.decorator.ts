import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'mazevault:rbac:public';

/**
 * Opts a handler or a whole controller out of authentication and authorization (health, login, JWKS).
 * On a controller it covers every handler, even ones with `@RequirePermission`. Explicit so that
 * forgetting a decorator denies instead of exposing.
 */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
