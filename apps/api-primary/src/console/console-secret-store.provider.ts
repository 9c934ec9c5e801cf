import { Logger, type Provider } from '@nestjs/common';
import {
  createAzureSecretStore,
  NoopSecretStore,
  type SecretStore,
  type SecretStoreLogger,
  SecretStoreRegistry,
} from '@mazevault/keyvault';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

export const CONSOLE_SECRET_STORE = Symbol('CONSOLE_SECRET_STORE');

/**
 * The strategies Console instance secrets may live in, by SECRET_STORE_PROVIDER: `azure-keyvault`
 * (DefaultAzureCredential: Workload/Managed Identity in AKS, AZURE_CLIENT_ID/SECRET/TENANT_ID in CI,
 * `az login` locally), or `noop`, which starts without a vault and warns on every operation. A new
 * strategy is one more factory here, not another branch.
 */
export function consoleSecretStores(logger: SecretStoreLogger): SecretStoreRegistry {
  return new SecretStoreRegistry()
    .registerFactory('azure-keyvault', (config: PrimaryConfig) =>
      createAzureSecretStore(
        {
          // loadPrimaryConfig refuses SECRET_STORE_PROVIDER=azure-keyvault without a URL.
          vaultUrl: config.AZURE_KEY_VAULT_URL!,
          // The seed's names (`instance-{id}-dburi`) are read by other tools: store them as they are.
          naming: 'verbatim',
          credential: {
            type: 'default',
            ...(config.AZURE_MANAGED_IDENTITY_CLIENT_ID
              ? { managedIdentityClientId: config.AZURE_MANAGED_IDENTITY_CLIENT_ID }
              : {}),
          },
        },
        { logger },
      ),
    )
    .registerFactory('noop', () => new NoopSecretStore(logger));
}

export const consoleSecretStoreProvider: Provider = {
  provide: CONSOLE_SECRET_STORE,
  inject: [PRIMARY_CONFIG],
  useFactory: (config: PrimaryConfig): SecretStore => {
    const logger = new Logger('SecretStore');
    const store = consoleSecretStores({
      warn: (context, message) => logger.warn({ ...context }, message),
    }).create(config.SECRET_STORE_PROVIDER, config);
    if (config.SECRET_STORE_PROVIDER === 'noop') {
      logger.warn(
        'secret store: noop (SECRET_STORE_PROVIDER unset or noop): instance tokens and connection secrets are NOT persisted',
      );
    } else logger.log(`secret store: ${config.SECRET_STORE_PROVIDER} vault=${config.AZURE_KEY_VAULT_URL}`);
    return store;
  },
};
