/**
 * The provider-neutral secret store contract. Strategies: `azure` (Key Vault), `noop`, and `postgres`
 * (MazeVault's own envelope-encrypted store). The shape is deliberately the intersection of what a
 * cloud vault and a database can both honour:
 * - values are JSON objects (`SecretData`) or scalar strings; reads always return an object;
 * - every write creates a new immutable version; `version` strings are opaque;
 * - custom metadata is a flat string -> string map (what Key Vault tags can hold), stored per secret
 *   and carried over to new versions by `updateCredentials`;
 * - delete is soft where the provider supports it (recoverable), and hides the secret from reads/lists.
 */
export type SecretData = Record<string, unknown>;
export type SecretValue = SecretData | string;
export type CustomMetadata = Record<string, string>;

/** A parsed reference: see {@link parseSecretReference} for the URI syntax. */
export interface SecretRef {
  /** Provider named by the URI scheme (`azure://...`); absent for raw names. */
  provider?: string;
  /** Store instance named by the URI authority (Key Vault name, ...); absent for raw names. */
  vault?: string;
  /** Logical secret name, slash-separated (`app/db`). */
  name: string;
  /** Field selected with `#field`. */
  key?: string;
  /** Version selected with `?version=`; latest when absent. */
  version?: string;
}

export interface SecretWriteResult {
  name: string;
  version: string;
}

export interface CreateSecretOptions {
  custom?: CustomMetadata;
}

export interface SecretMetadata {
  name: string;
  /** The latest version. */
  version: string;
  enabled: boolean;
  contentType?: string;
  createdAt?: Date;
  updatedAt?: Date;
  expiresAt?: Date;
  custom: CustomMetadata;
}

export type SecretSummary = Omit<SecretMetadata, 'version'> & { version?: string };

export interface SecretStore {
  /** Strategy name, e.g. `azure`: used for metrics labels, span names and the registry. */
  readonly provider: string;

  /**
   * Reads a secret. The whole value as an object (JSON) or `{ value: "<scalar>" }`; with a `#key`,
   * `{ [key]: value }` (`null` when the value is a scalar or lacks the key). Throws SecretNotFoundError.
   */
  getCredentials(ref: string | SecretRef): Promise<SecretData>;

  /** Writes a new version (creating the secret if needed). Objects are stored as JSON. */
  createCredentials(
    name: string,
    data: SecretValue,
    options?: CreateSecretOptions,
  ): Promise<SecretWriteResult>;

  /** Writes a new version of an existing secret (SecretNotFoundError otherwise), keeping its custom metadata. */
  updateCredentials(name: string, data: SecretValue): Promise<SecretWriteResult>;

  /** Soft-deletes the secret (all versions). Throws SecretNotFoundError if absent. */
  deleteCredentials(name: string): Promise<void>;

  /** All secrets this store manages (metadata only, never values). */
  listCredentials(): Promise<SecretSummary[]>;

  /** Names starting with `prefix` (all names when empty), sorted. */
  listKeys(prefix?: string): Promise<string[]>;

  readSecretMetadata(name: string): Promise<SecretMetadata>;

  /** Replaces (`merge = false`) or merges into (`merge = true`) the custom metadata; returns the result. */
  updateCustomMetadata(name: string, custom: CustomMetadata, merge: boolean): Promise<SecretMetadata>;

  getLatestVersion(name: string): Promise<string>;
}

/** Pino-compatible logging surface (`logger.warn({ ...context }, 'message')`). */
export interface SecretStoreLogger {
  warn(context: Record<string, unknown>, message: string): void;
  debug?(context: Record<string, unknown>, message: string): void;
}

/**
 * Optional capability: response wrapping — a read handed over as a single-use token with a TTL.
 * MazeVault's own store has it; Key Vault has no such feature, so the azure strategy does not
 * pretend to (callers check with {@link supportsWrapping}).
 */
export interface WrappingSecretStore extends SecretStore {
  getCredentialsWrapped(
    ref: string | SecretRef,
    wrapTtlSeconds: number,
  ): Promise<{ token: string; ttl: number; expiresAt: string }>;
  /** The wrapped data, once; a second call or an expired token fails. */
  unwrap(token: string): Promise<SecretData>;
}

export function supportsWrapping(store: SecretStore): store is WrappingSecretStore {
  return (
    typeof (store as Partial<WrappingSecretStore>).getCredentialsWrapped === 'function' &&
    typeof (store as Partial<WrappingSecretStore>).unwrap === 'function'
  );
}
