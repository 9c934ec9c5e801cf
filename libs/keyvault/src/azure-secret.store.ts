import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets';
import { normalizeAzureError, azureErrorClassifier } from './azure-error.classifier';
import { fromKeyVaultName, type KeyVaultNaming, toKeyVaultName } from './key-vault-name.codec';
import { ResiliencePolicy, type ResilienceConfig } from './resilience.policy';
import { parseSecretReference } from './secret-reference.parser';
import { InvalidSecretReferenceError } from './secret-store.errors';
import {
  SecretStoreTelemetry,
  type SecretOperation,
  type SecretStoreTelemetryOptions,
} from './secret-store.telemetry';
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
import { decodeSecretValue, encodeSecretValue, projectSecretField } from './secret-value.codec';

/** The SecretClient methods this strategy uses (a structural type, so tests can substitute it). */
export type SecretClientLike = Pick<
  SecretClient,
  'getSecret' | 'setSecret' | 'updateSecretProperties' | 'beginDeleteSecret' | 'listPropertiesOfSecrets'
>;

export interface AzureSecretStoreOptions {
  client: SecretClientLike;
  /** Provider name for spans, metrics and the registry; default `azure`. */
  provider?: string;
  resilience?: ResilienceConfig;
  telemetry?: SecretStoreTelemetryOptions;
  logger?: SecretStoreLogger;
  /** `encoded` (default): reversible mapping of any path; `verbatim`: Key Vault-native names as they are. */
  naming?: KeyVaultNaming;
}

/** Key Vault tag limits: custom metadata is stored as tags, so it is checked before calling the vault. */
const MAX_TAGS = 15;
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;

function validateCustom(custom: CustomMetadata): void {
  const entries = Object.entries(custom);
  if (entries.length > MAX_TAGS)
    throw new TypeError(`at most ${MAX_TAGS} custom metadata entries are supported by Key Vault`);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw new TypeError(`custom metadata "${k}" must be a string`);
    if (!k || k.length > MAX_TAG_NAME || v.length > MAX_TAG_VALUE)
      throw new TypeError(`custom metadata "${k}" exceeds Key Vault tag limits`);
  }
}

/**
 * Secret store on Azure Key Vault (`@azure/keyvault-secrets`).
 *
 * - Names: MazeVault paths are mapped reversibly onto Key Vault names (see key-vault-name.codec.ts).
 * - Values: objects are stored as JSON with content type application/json; strings verbatim.
 * - Custom metadata = tags. Key Vault tags belong to a *version*, so updateCredentials copies the
 *   latest version's tags onto the new one (otherwise an update would silently drop them).
 * - Resilience is done here (cockatiel), so the SecretClient should be built with
 *   `retryOptions: { maxRetries: 0 }` (createAzureSecretStore does): two retry layers multiply attempts.
 */
export class AzureSecretStore implements SecretStore {
  readonly provider: string;
  private readonly client: SecretClientLike;
  private readonly policy: ResiliencePolicy;
  private readonly telemetry: SecretStoreTelemetry;
  private readonly naming: KeyVaultNaming;

  constructor(options: AzureSecretStoreOptions) {
    this.provider = options.provider ?? 'azure';
    this.naming = options.naming ?? 'encoded';
    this.client = options.client;
    this.telemetry = new SecretStoreTelemetry(this.provider, options.telemetry);
    this.policy = new ResiliencePolicy(options.resilience ?? {}, azureErrorClassifier, {
      onRetry: () => this.telemetry.recordRetry(),
      onBreakerStateChange: (state) => {
        this.telemetry.recordBreakerState(state);
        options.logger?.warn(
          { provider: this.provider, state },
          'secret store circuit breaker state changed',
        );
      },
    });
  }

  /** Current breaker state, for health endpoints. */
  get circuitState(): string {
    return this.policy.circuitState;
  }

  async getCredentials(ref: string | SecretRef): Promise<SecretData> {
    const parsed = typeof ref === 'string' ? parseSecretReference(ref) : ref;
    if (parsed.provider !== undefined && parsed.provider !== this.provider) {
      throw new InvalidSecretReferenceError(
        `reference for provider "${parsed.provider}" given to the ${this.provider} store`,
      );
    }
    return this.call('get_secret', parsed.name, parsed.version, async (kvName, abortSignal) => {
      const secret = await this.client.getSecret(kvName, {
        abortSignal,
        ...(parsed.version ? { version: parsed.version } : {}),
      });
      return projectSecretField(
        decodeSecretValue(secret.value ?? '', secret.properties.contentType),
        parsed.key,
      );
    });
  }

  async createCredentials(
    name: string,
    data: SecretValue,
    options: CreateSecretOptions = {},
  ): Promise<SecretWriteResult> {
    const encoded = encodeSecretValue(data);
    if (options.custom) validateCustom(options.custom);
    return this.call('create_secret', name, undefined, async (kvName, abortSignal) => {
      const secret = await this.client.setSecret(kvName, encoded.value, {
        abortSignal,
        contentType: encoded.contentType,
        ...(options.custom ? { tags: options.custom } : {}),
      });
      return { name, version: secret.properties.version ?? '' };
    });
  }

  async updateCredentials(name: string, data: SecretValue): Promise<SecretWriteResult> {
    const encoded = encodeSecretValue(data);
    return this.call('update_secret', name, undefined, async (kvName, abortSignal) => {
      // Existence check and tag carry-over in one read (404 -> SecretNotFoundError).
      const current = await this.client.getSecret(kvName, { abortSignal });
      const tags = current.properties.tags;
      const secret = await this.client.setSecret(kvName, encoded.value, {
        abortSignal,
        contentType: encoded.contentType,
        ...(tags ? { tags } : {}),
      });
      return { name, version: secret.properties.version ?? '' };
    });
  }

  async deleteCredentials(name: string): Promise<void> {
    await this.call('delete_secret', name, undefined, async (kvName, abortSignal) => {
      // Soft delete takes effect with the initial DELETE; waiting for the poller to see the deleted
      // secret (seconds on the real service) adds latency without changing the outcome.
      await this.client.beginDeleteSecret(kvName, { abortSignal });
    });
  }

  async listCredentials(): Promise<SecretSummary[]> {
    return this.call('list_secrets', undefined, undefined, async (_kvName, abortSignal) => {
      const out: SecretSummary[] = [];
      for await (const properties of this.client.listPropertiesOfSecrets({ abortSignal })) {
        // Secrets not created through MazeVault (names outside our encoding) are not listed.
        const name = fromKeyVaultName(properties.name, this.naming);
        if (name === undefined || properties.managed) continue;
        const { version: _latestUnknown, ...summary } = this.metadata(name, properties);
        out.push(summary);
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async listKeys(prefix = ''): Promise<string[]> {
    return (await this.listCredentials()).map((s) => s.name).filter((n) => n.startsWith(prefix));
  }

  async readSecretMetadata(name: string): Promise<SecretMetadata> {
    return this.call('read_secret_metadata', name, undefined, async (kvName, abortSignal) => {
      const secret = await this.client.getSecret(kvName, { abortSignal });
      return this.metadata(name, secret.properties);
    });
  }

  async updateCustomMetadata(name: string, custom: CustomMetadata, merge: boolean): Promise<SecretMetadata> {
    validateCustom(custom);
    return this.call('update_custom_metadata', name, undefined, async (kvName, abortSignal) => {
      const current = await this.client.getSecret(kvName, { abortSignal });
      const tags = merge ? { ...(current.properties.tags ?? {}), ...custom } : { ...custom };
      validateCustom(tags);
      const updated = await this.client.updateSecretProperties(kvName, current.properties.version ?? '', {
        abortSignal,
        tags,
      });
      return this.metadata(name, updated);
    });
  }

  async getLatestVersion(name: string): Promise<string> {
    return this.call('read_secret_metadata', name, undefined, async (kvName, abortSignal) => {
      const secret = await this.client.getSecret(kvName, { abortSignal });
      return secret.properties.version ?? '';
    });
  }

  // ---------------------------------------------------------------------------------------------

  private metadata(name: string, p: SecretProperties): SecretMetadata {
    return {
      name,
      version: p.version ?? '',
      enabled: p.enabled ?? true,
      ...(p.contentType !== undefined ? { contentType: p.contentType } : {}),
      ...(p.createdOn ? { createdAt: p.createdOn } : {}),
      ...(p.updatedOn ? { updatedAt: p.updatedOn } : {}),
      ...(p.expiresOn ? { expiresAt: p.expiresOn } : {}),
      custom: { ...(p.tags ?? {}) },
    };
  }

  /** Span + metrics around resilience around the SDK call, with errors normalized at the end. */
  private call<T>(
    operation: SecretOperation,
    name: string | undefined,
    version: string | undefined,
    fn: (kvName: string, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.telemetry.run(
      operation,
      { ...(name !== undefined ? { name } : {}), ...(version ? { version } : {}) },
      async () => {
        const kvName = name === undefined ? '' : toKeyVaultName(name, this.naming);
        try {
          return await this.policy.execute((signal) => fn(kvName, signal));
        } catch (error) {
          throw normalizeAzureError(error, {
            provider: this.provider,
            operation,
            ...(name !== undefined ? { secretName: name } : {}),
          });
        }
      },
    );
  }
}
