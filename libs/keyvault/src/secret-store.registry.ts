import { parseSecretReference } from './secret-reference.parser';
import { InvalidSecretReferenceError } from './secret-store.errors';
import type { SecretRef, SecretStore } from './secret-store.types';

/**
 * Picks the secret-store strategy by provider name. Factories are registered per provider (`azure`,
 * `noop`, and `postgres` from the persistence layer, which keeps this library free of a database
 * dependency); `create` builds and keeps one instance per provider, because each instance owns a
 * circuit breaker that must be shared by all callers to be meaningful.
 */
export type SecretStoreFactory<C = unknown> = (config: C) => SecretStore;

export class SecretStoreRegistry {
  private readonly factories = new Map<string, SecretStoreFactory<never>>();
  private readonly instances = new Map<string, SecretStore>();

  constructor(private readonly defaultProvider?: string) {}

  registerFactory<C>(provider: string, factory: SecretStoreFactory<C>): this {
    if (this.factories.has(provider))
      throw new Error(`secret store provider "${provider}" is already registered`);
    this.factories.set(provider, factory as SecretStoreFactory<never>);
    return this;
  }

  /** Registers an already-built store under its `provider` name. */
  register(store: SecretStore): this {
    if (this.instances.has(store.provider))
      throw new Error(`a "${store.provider}" secret store is already registered`);
    this.instances.set(store.provider, store);
    return this;
  }

  create<C>(provider: string, config: C): SecretStore {
    const existing = this.instances.get(provider);
    if (existing) return existing;
    const factory = this.factories.get(provider) as SecretStoreFactory<C> | undefined;
    if (!factory)
      throw new Error(
        `unknown secret store provider "${provider}" (known: ${this.providers().join(', ') || 'none'})`,
      );
    const store = factory(config);
    this.instances.set(provider, store);
    return store;
  }

  get(provider?: string): SecretStore {
    const name = provider ?? this.defaultProvider;
    if (!name)
      throw new InvalidSecretReferenceError(
        'no provider in the reference and no default secret store configured',
      );
    const store = this.instances.get(name);
    if (!store) throw new InvalidSecretReferenceError(`no secret store configured for provider "${name}"`);
    return store;
  }

  providers(): string[] {
    return [...new Set([...this.factories.keys(), ...this.instances.keys()])].sort();
  }

  /** Parses a reference and returns the store that serves it (raw names go to the default provider). */
  resolve(reference: string): { store: SecretStore; ref: SecretRef } {
    const ref = parseSecretReference(reference);
    return { store: this.get(ref.provider), ref };
  }
}
