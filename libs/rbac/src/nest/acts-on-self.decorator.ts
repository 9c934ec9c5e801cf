import { SetMetadata } from '@nestjs/common';

export const ACTS_ON_SELF_KEY = 'mazevault:rbac:acts-on-self';

/**
 * Declares a handler that acts only on the caller itself (who am I, log out, change my password): any
 * authenticated principal may call it, and no permission is checked because nothing else is touched.
 * Explicit, like `@Public`, so a handler without any declaration is still denied.
 */
export const ActsOnSelf = () => SetMetadata(ACTS_ON_SELF_KEY, true);
