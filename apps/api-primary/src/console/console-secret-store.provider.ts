import { Logger, type Provider } from '@nestjs/common';
import { createAzureSecretStore, NoopSecretStore, type SecretStore } from '@mazevault/keyvault';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

export const CONSOLE_SECRET_STORE = Symbol('CONSOLE_SECRET_STORE');

/**
 * The store behind Console instance secrets, chosen by SECRET_STORE_PROVIDER: Azure Key Vault with
 * DefaultAzureCredential (Workload/Managed Identity in AKS, AZURE_CLIENT_ID/SECRET/TENANT_ID in CI,
 * `az login` locally), or `noop`, which starts without a vault and warns on every operation.
 */
export const consoleSecretStoreProvider: Provider = {
  provide: CONSOLE_SECRET_STORE,
  inject: [PRIMARY_CONFIG],
  useFactory: (config: PrimaryConfig): SecretStore => {
    const logger = new Logger('SecretStore');
    const storeLogger = { warn: (context: Record<string, unknown>, message: string) => logger.warn({ ...context }, message) };
    if (config.SECRET_STORE_PROVIDER === 'azure-keyvault' && config.AZURE_KEY_VAULT_URL) {
      logger.log(`secret store: azure key vault vault=${config.AZURE_KEY_VAULT_URL}`);
      return createAzureSecretStore(
        {
          vaultUrl: config.AZURE_KEY_VAULT_URL,
          // The seed's names (`instance-{id}-dburi`) are read by other tools: store them as they are.
          naming: 'verbatim',
          credential: {
            type: 'default',
            ...(config.AZURE_MANAGED_IDENTITY_CLIENT_ID ? { managedIdentityClientId: config.AZURE_MANAGED_IDENTITY_CLIENT_ID } : {}),
          },
        },
        { logger: storeLogger },
      );
    }
    logger.warn('secret store: noop (SECRET_STORE_PROVIDER unset or noop): instance tokens and connection secrets are NOT persisted');
    return new NoopSecretStore(storeLogger);
  },
};
