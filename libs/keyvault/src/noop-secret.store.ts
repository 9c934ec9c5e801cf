import { parseSecretReference } from './secret-reference.parser';
import { SecretNotFoundError } from './secret-store.errors';
import type {
  CreateSecretOptions,
  CustomMetadata,
  SecretData,
  SecretMetadata,
  SecretRef,
  SecretStore,
  SecretStoreLogger,
  SecretSummary,
  SecretValue,
  SecretWriteResult,
} from './secret-store.types';

/**
 * A store that persists nothing: writes are accepted and dropped, reads find nothing. For
 * deployments where secrets are not managed (yet) and for wiring tests. Every call logs a warning, so
 * a production instance accidentally configured with `noop` is loud rather than silently losing data.
 */
export class NoopSecretStore implements SecretStore {
  readonly provider = 'noop';

  constructor(private readonly logger: SecretStoreLogger) {}

  private warn(operation: string, name?: string): void {
    this.logger.warn(
      { provider: this.provider, operation, ...(name !== undefined ? { secretName: name } : {}) },
      'noop secret store: nothing is persisted',
    );
  }

  private notFound(operation: string, name: string): SecretNotFoundError {
    return new SecretNotFoundError(`noop ${operation} for secret "${name}": not found`, {
      provider: this.provider,
      operation,
      secretName: name,
    });
  }

  async getCredentials(ref: string | SecretRef): Promise<SecretData> {
    const name = typeof ref === 'string' ? parseSecretReference(ref).name : ref.name;
    this.warn('get_secret', name);
    throw this.notFound('get_secret', name);
  }

  async createCredentials(
    name: string,
    _data: SecretValue,
    _options?: CreateSecretOptions,
  ): Promise<SecretWriteResult> {
    this.warn('create_secret', name);
    return { name, version: 'noop' };
  }

  async updateCredentials(name: string, _data: SecretValue): Promise<SecretWriteResult> {
    this.warn('update_secret', name);
    throw this.notFound('update_secret', name);
  }

  async deleteCredentials(name: string): Promise<void> {
    this.warn('delete_secret', name);
    throw this.notFound('delete_secret', name);
  }

  async listCredentials(): Promise<SecretSummary[]> {
    this.warn('list_secrets');
    return [];
  }

  async listKeys(_prefix?: string): Promise<string[]> {
    this.warn('list_secrets');
    return [];
  }

  async readSecretMetadata(name: string): Promise<SecretMetadata> {
    this.warn('read_secret_metadata', name);
    throw this.notFound('read_secret_metadata', name);
  }

  async updateCustomMetadata(
    name: string,
    _custom: CustomMetadata,
    _merge: boolean,
  ): Promise<SecretMetadata> {
    this.warn('update_custom_metadata', name);
    throw this.notFound('update_custom_metadata', name);
  }

  async getLatestVersion(name: string): Promise<string> {
    this.warn('read_secret_metadata', name);
    throw this.notFound('read_secret_metadata', name);
  }
}
