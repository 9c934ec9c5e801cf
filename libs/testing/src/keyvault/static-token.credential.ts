import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/**
 * A TokenCredential that hands out a fixed bearer token, recording what was asked for, so tests can
 * assert that the SDK followed the Key Vault challenge (scope from `resource`, tenant from `authorization`).
 */
export class StaticTokenCredential implements TokenCredential {
  readonly requests: { scopes: string[]; tenantId?: string }[] = [];

  constructor(public token = 'test-token') {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.requests.push({
      scopes: ([] as string[]).concat(scopes),
      ...(options?.tenantId ? { tenantId: options.tenantId } : {}),
    });
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000, tokenType: 'Bearer' };
  }
}
