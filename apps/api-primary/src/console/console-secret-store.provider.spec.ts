import { AzureSecretStore, NoopSecretStore } from '@mazevault/keyvault';
import type { PrimaryConfig } from '../config/primary.config';
import { consoleSecretStores } from './console-secret-store.provider';

const logger = { warn: () => undefined };
const config = (values: Partial<PrimaryConfig>) => values as PrimaryConfig;

describe('consoleSecretStores', () => {
  it('picks the strategy by SECRET_STORE_PROVIDER through the registry', () => {
    const stores = consoleSecretStores(logger);
    expect(stores.providers()).toEqual(['azure-keyvault', 'noop']);
    expect(stores.create('noop', config({ SECRET_STORE_PROVIDER: 'noop' }))).toBeInstanceOf(NoopSecretStore);
    const azure = stores.create(
      'azure-keyvault',
      config({ SECRET_STORE_PROVIDER: 'azure-keyvault', AZURE_KEY_VAULT_URL: 'https://vault.example.net' }),
    );
    expect(azure).toBeInstanceOf(AzureSecretStore);
    expect(() => stores.create('vault', config({}))).toThrow(/unknown secret store provider "vault"/);
  });
});
