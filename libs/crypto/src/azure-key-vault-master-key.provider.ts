import { MasterKeyError } from './crypto.errors';
import { decodeMasterKey, LocalMasterKeyProvider } from './master-key.provider';

/**
 * The slice of `@azure/keyvault-secrets`' SecretClient this provider needs. Typed structurally so
 * libs/crypto does not depend on the Azure SDK and tests can pass a plain object.
 */
export interface SecretReader {
  getSecret(name: string, options?: { version?: string }): Promise<{ value?: string }>;
}

export interface AzureKeyVaultMasterKeyOptions {
  client: SecretReader;
  secretName: string;
  /** Pin a secret version; recommended, so a new version in the vault cannot silently change the key. */
  version?: string;
  /** Defaults to `azure-kv:<secretName>[/<version>]`. */
  id?: string;
}

/** Master key stored as a base64 secret in Azure Key Vault (read once, then held in memory). */
export class AzureKeyVaultMasterKeyProvider extends LocalMasterKeyProvider {
  readonly id: string;

  constructor(private readonly options: AzureKeyVaultMasterKeyOptions) {
    super();
    this.id = options.id ?? `azure-kv:${options.secretName}${options.version ? `/${options.version}` : ''}`;
  }

  protected async loadKey(): Promise<Buffer> {
    const { client, secretName, version } = this.options;
    let value: string | undefined;
    try {
      value = (await client.getSecret(secretName, version ? { version } : undefined)).value;
    } catch (error) {
      // Only the status goes into the message: SDK errors can echo request details.
      const status = (error as { statusCode?: number }).statusCode;
      throw new MasterKeyError(
        `cannot read master key secret ${secretName} from Key Vault (status ${status ?? 'n/a'})`,
      );
    }
    if (!value) throw new MasterKeyError(`master key secret ${secretName} is empty`);
    return decodeMasterKey(value, `Key Vault secret ${secretName}`);
  }
}
