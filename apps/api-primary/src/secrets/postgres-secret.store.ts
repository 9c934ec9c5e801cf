import {
  parseSecretReference,
  projectSecretField,
  SecretNotFoundError,
  type CreateSecretOptions,
  type CustomMetadata,
  type SecretData,
  type SecretMetadata,
  type SecretRef,
  type SecretSummary,
  type SecretValue,
  type SecretWriteResult,
  type WrappingSecretStore,
} from '@mazevault/keyvault';
import { ProblemException } from '@mazevault/platform';
import type { SecretEntity } from '@mazevault/persistence';
import type { SecretScope } from '../projects/secret-scope.service';
import { toSecretData } from './secret-value.util';
import { type Actor, type JsonValue, SecretsService } from './secrets.service';
import { WrappingService } from './wrapping.service';

/**
 * The `postgres` strategy: the SecretStore interface over MazeVault's own envelope-encrypted store,
 * bound to one project environment. Callers that speak canonical URIs (`azure://vault/app/db#user`)
 * get the same answers here as from Key Vault.
 */
export class PostgresSecretStore implements WrappingSecretStore {
  readonly provider = 'postgres';

  constructor(
    private readonly secrets: SecretsService,
    private readonly scope: SecretScope,
    private readonly actor: Actor,
    private readonly wrapping: WrappingService,
  ) {}

  async getCredentialsWrapped(
    ref: string | SecretRef,
    wrapTtlSeconds: number,
  ): Promise<{ token: string; ttl: number; expiresAt: string }> {
    return this.wrapping.wrap(this.scope.organizationId, await this.getCredentials(ref), wrapTtlSeconds);
  }

  async unwrap(token: string): Promise<SecretData> {
    return (await this.wrapping.unwrap(token)) as SecretData;
  }

  async getCredentials(ref: string | SecretRef): Promise<SecretData> {
    const parsed = typeof ref === 'string' ? parseSecretReference(ref) : ref;
    return this.call('get', parsed.name, async () => {
      const version = parsed.version === undefined ? undefined : toVersionNumber(parsed.version);
      if (version === null)
        throw new SecretNotFoundError(
          `secret "${parsed.name}" has no such version`,
          this.details('get', parsed.name),
        );
      const { value } = await this.secrets.read(this.scope, parsed.name, version);
      return projectSecretField(toSecretData(value), parsed.key);
    });
  }

  createCredentials(
    name: string,
    data: SecretValue,
    options: CreateSecretOptions = {},
  ): Promise<SecretWriteResult> {
    return this.call('create', name, async () => {
      const written = await this.secrets.write(
        this.scope,
        name,
        data as JsonValue,
        options.custom ? { customMetadata: options.custom } : {},
      );
      return { name, version: String(written.version) };
    });
  }

  updateCredentials(name: string, data: SecretValue): Promise<SecretWriteResult> {
    return this.call('update', name, async () => {
      await this.getLatestVersion(name); // must exist (and be live)
      const written = await this.secrets.write(this.scope, name, data as JsonValue);
      return { name, version: String(written.version) };
    });
  }

  deleteCredentials(name: string): Promise<void> {
    return this.call('delete', name, async () => {
      const deleted = await this.secrets.softDelete(this.scope, name, this.actor, 'all');
      if (deleted.length === 0)
        throw new SecretNotFoundError(`secret "${name}" not found`, this.details('delete', name));
    });
  }

  async listCredentials(): Promise<SecretSummary[]> {
    return (await this.secrets.liveSecrets(this.scope)).map((s) => summary(s));
  }

  async listKeys(prefix = ''): Promise<string[]> {
    return (await this.secrets.liveSecrets(this.scope, prefix)).map((s) => s.path);
  }

  readSecretMetadata(name: string): Promise<SecretMetadata> {
    return this.call('read_metadata', name, async () => {
      const [secret] = (await this.secrets.liveSecrets(this.scope, name)).filter((s) => s.path === name);
      if (!secret)
        throw new SecretNotFoundError(`secret "${name}" not found`, this.details('read_metadata', name));
      return { ...summary(secret), version: String(secret.currentVersion) };
    });
  }

  updateCustomMetadata(name: string, custom: CustomMetadata, merge: boolean): Promise<SecretMetadata> {
    return this.call('update_metadata', name, async () => {
      await this.secrets.updateMetadata(this.scope, name, {
        customMetadata: custom,
        mode: merge ? 'merge' : 'replace',
      });
      return this.readSecretMetadata(name);
    });
  }

  getLatestVersion(name: string): Promise<string> {
    return this.call('latest_version', name, async () => (await this.readSecretMetadata(name)).version);
  }

  /** Maps the service's 404 problems onto the store contract's SecretNotFoundError. */
  private async call<T>(operation: string, name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 404) {
        throw new SecretNotFoundError(`secret "${name}" not found`, {
          ...this.details(operation, name),
          providerStatus: 404,
          providerCode: error.code,
        });
      }
      throw error;
    }
  }

  private details(operation: string, secretName: string) {
    return { provider: this.provider, operation, secretName };
  }
}

function toVersionNumber(version: string): number | null {
  const digits = version.replace(/^v/, '');
  return /^\d{1,9}$/.test(digits) && Number(digits) > 0 ? Number(digits) : null;
}

function summary(secret: SecretEntity): SecretSummary & { version: string } {
  return {
    name: secret.path,
    version: String(secret.currentVersion),
    enabled: true,
    createdAt: secret.createdAt,
    updatedAt: secret.updatedAt,
    custom: secret.customMetadata,
  };
}
