import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { AzureSecretStore } from './azure-secret.store';
import type { KeyVaultNaming } from './key-vault-name.codec';
import type { ResilienceConfig } from './resilience.policy';
import type { SecretStoreTelemetryOptions } from './secret-store.telemetry';
import type { SecretStoreLogger } from './secret-store.types';

/**
 * How the store authenticates to Key Vault:
 * - `default`: DefaultAzureCredential (env vars, workload identity, managed identity, Azure CLI...);
 * - `managed-identity`: a system- or user-assigned (with `clientId`) managed identity only, no fallbacks;
 * - `injected`: any TokenCredential built by the caller, e.g. an OnBehalfOfCredential for the user's
 *   own permissions, a ClientCertificateCredential, or a static test credential.
 */
export type AzureCredentialConfig =
  | { type: 'default'; managedIdentityClientId?: string; tenantId?: string }
  | { type: 'managed-identity'; clientId?: string }
  | { type: 'injected'; credential: TokenCredential };

export interface AzureSecretStoreConfig {
  vaultUrl: string;
  credential?: AzureCredentialConfig;
  resilience?: ResilienceConfig;
  /** Extra SecretClient options (tlsOptions, proxyOptions, serviceVersion...). */
  clientOptions?: SecretClientOptions;
  provider?: string;
  naming?: KeyVaultNaming;
}

export interface SecretStoreDependencies {
  logger?: SecretStoreLogger;
  telemetry?: SecretStoreTelemetryOptions;
}

export function createAzureCredential(config: AzureCredentialConfig = { type: 'default' }): TokenCredential {
  switch (config.type) {
    case 'default':
      return new DefaultAzureCredential({
        ...(config.managedIdentityClientId
          ? { managedIdentityClientId: config.managedIdentityClientId }
          : {}),
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
      });
    case 'managed-identity':
      return config.clientId
        ? new ManagedIdentityCredential({ clientId: config.clientId })
        : new ManagedIdentityCredential();
    case 'injected':
      return config.credential;
  }
}

export function createAzureSecretStore(
  config: AzureSecretStoreConfig,
  deps: SecretStoreDependencies = {},
): AzureSecretStore {
  const client = new SecretClient(config.vaultUrl, createAzureCredential(config.credential), {
    ...config.clientOptions,
    // The store's resilience policy is the only retry layer (see AzureSecretStore).
    retryOptions: { maxRetries: 0 },
  });
  return new AzureSecretStore({
    client,
    ...(config.provider ? { provider: config.provider } : {}),
    ...(config.naming ? { naming: config.naming } : {}),
    ...(config.resilience ? { resilience: config.resilience } : {}),
    ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
