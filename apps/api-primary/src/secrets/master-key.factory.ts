import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import {
  AzureKeyVaultMasterKeyProvider,
  EnvMasterKeyProvider,
  FileMasterKeyProvider,
  type MasterKeyProvider,
  MasterKeyRing,
} from '@mazevault/crypto';
import type { PrimaryConfig } from '../config/primary.config';

/**
 * The master key ring from config: the active key (env, file or the operational Key Vault) plus the
 * previous one during a rotation. The master key never comes from the database.
 */
/** The settings a master-key ring is built from (the CLIs load only these). */
export type MasterKeySettings = Pick<
  PrimaryConfig,
  | 'MASTER_KEY_PROVIDER'
  | 'MASTER_KEY'
  | 'MASTER_KEY_FILE'
  | 'MASTER_KEY_VAULT_URL'
  | 'MASTER_KEY_SECRET_NAME'
  | 'MASTER_KEY_PREVIOUS'
>;

export function createMasterKeyRing(config: MasterKeySettings): MasterKeyRing {
  const retired: MasterKeyProvider[] = config.MASTER_KEY_PREVIOUS
    ? [new EnvMasterKeyProvider({ value: config.MASTER_KEY_PREVIOUS, variableName: 'MASTER_KEY_PREVIOUS' })]
    : [];
  return new MasterKeyRing(activeProvider(config), retired);
}

function activeProvider(config: MasterKeySettings): MasterKeyProvider {
  switch (config.MASTER_KEY_PROVIDER) {
    case 'env':
      return new EnvMasterKeyProvider({ value: config.MASTER_KEY, variableName: 'MASTER_KEY' });
    case 'file':
      if (!config.MASTER_KEY_FILE)
        throw new Error('MASTER_KEY_FILE is required with MASTER_KEY_PROVIDER=file');
      return new FileMasterKeyProvider({ path: config.MASTER_KEY_FILE });
    case 'azure-keyvault': {
      if (!config.MASTER_KEY_VAULT_URL)
        throw new Error('MASTER_KEY_VAULT_URL is required with MASTER_KEY_PROVIDER=azure-keyvault');
      // Workload Identity / Managed Identity first, then AZURE_CLIENT_ID/SECRET/TENANT_ID, then the CLI.
      const client = new SecretClient(config.MASTER_KEY_VAULT_URL, new DefaultAzureCredential());
      return new AzureKeyVaultMasterKeyProvider({ client, secretName: config.MASTER_KEY_SECRET_NAME });
    }
  }
}
