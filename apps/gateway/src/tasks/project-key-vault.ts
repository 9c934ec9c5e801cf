import { createAzureSecretStore, type AzureSecretStore, type SecretStoreLogger } from '@mazevault/keyvault';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from '../config/gateway.config';

/**
 * The environment's Project Key Vault through the `azure` strategy, with the gateway's Managed
 * Identity only (no fallbacks): in AKS the workload identity webhook's AZURE_FEDERATED_TOKEN_FILE,
 * AZURE_TENANT_ID and AZURE_AUTHORITY_HOST make ManagedIdentityCredential exchange the pod's
 * federated token; on a VM it asks IMDS. Undefined when no vault is configured.
 */
export function createProjectKeyVault(
  config: GatewayConfig,
  deps: { logger: SecretStoreLogger; registry: Registry },
): AzureSecretStore | undefined {
  if (!config.MAZEVAULT_PROJECT_KEYVAULT_URL) return undefined;
  return createAzureSecretStore(
    {
      vaultUrl: config.MAZEVAULT_PROJECT_KEYVAULT_URL,
      credential: {
        type: 'managed-identity',
        ...(config.AZURE_MANAGED_IDENTITY_CLIENT_ID && { clientId: config.AZURE_MANAGED_IDENTITY_CLIENT_ID }),
      },
      ...(config.MAZEVAULT_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION && {
        clientOptions: { disableChallengeResourceVerification: true },
      }),
      // A task is retried by the Primary's redelivery; a few quick retries here cover throttling.
      resilience: { timeout_s: 30, max_retries: 2 },
    },
    { logger: deps.logger, telemetry: { registry: deps.registry } },
  );
}
