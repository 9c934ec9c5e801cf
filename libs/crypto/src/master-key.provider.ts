import { createHash, hkdfSync } from 'node:crypto';
import { AES_KEY_BYTES, aesGcmOpen, aesGcmSeal } from './aes-gcm';
import { MasterKeyError } from './crypto.errors';
import type { WrappedKey } from './envelope.types';

/**
 * The root of the key hierarchy. Only wrap/unwrap are exposed (never the key itself) so an
 * implementation backed by an HSM or Key Vault *keys* (wrapKey/unwrapKey) can replace the local ones
 * without touching callers. `id` is persisted next to every KEK it wraps; it must change whenever the
 * key material changes, because master-key rotation uses it to tell done items from pending ones.
 */
export interface MasterKeyProvider {
  readonly id: string;
  wrapKey(plaintextKey: Uint8Array, aad: Uint8Array): Promise<WrappedKey>;
  unwrapKey(wrapped: WrappedKey, aad: Uint8Array): Promise<Buffer>;
  /**
   * A 256-bit key for one purpose (`info`, e.g. the audit chain), derived with HKDF-SHA256 from the
   * master key: independent of every other purpose's key, and reproducible by whoever holds the
   * master key, so it is never stored anywhere.
   */
  deriveKey(info: string): Promise<Buffer>;
}

/** The HKDF salt of every key derived from a master key (a fixed, public domain separator). */
const DERIVE_SALT = Buffer.from('mazevault:master-key-derive:v1');

/** Decodes a base64 master key and insists on exactly 256 bits (a short key is a config error, not a weaker key). */
export function decodeMasterKey(encoded: string, source: string): Buffer {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))
    throw new MasterKeyError(`master key from ${source} is not base64`);
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== AES_KEY_BYTES) {
    throw new MasterKeyError(
      `master key from ${source} must decode to ${AES_KEY_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}

/** A short non-secret fingerprint used as a default id: it changes with the key, and reveals nothing of it. */
export function masterKeyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update('mazevault:master-key-id:v1').update(key).digest('hex').slice(0, 16);
}

/**
 * A master key held in process memory, loaded once (lazily, so a provider can be constructed at boot
 * before its source is reachable) and wrapping with AES-256-GCM. A failed load is not cached, so a
 * transient outage of the key source heals on the next call.
 */
export abstract class LocalMasterKeyProvider implements MasterKeyProvider {
  abstract readonly id: string;
  private key: Promise<Buffer> | undefined;

  protected abstract loadKey(): Promise<Buffer>;

  private getKey(): Promise<Buffer> {
    if (!this.key) {
      this.key = this.loadKey();
      this.key.catch(() => (this.key = undefined));
    }
    return this.key;
  }

  async wrapKey(plaintextKey: Uint8Array, aad: Uint8Array): Promise<WrappedKey> {
    return { alg: 'A256GCM', ...aesGcmSeal(await this.getKey(), plaintextKey, aad) };
  }

  async unwrapKey(wrapped: WrappedKey, aad: Uint8Array): Promise<Buffer> {
    return aesGcmOpen(await this.getKey(), wrapped, aad);
  }

  async deriveKey(info: string): Promise<Buffer> {
    return Buffer.from(hkdfSync('sha256', await this.getKey(), DERIVE_SALT, info, 32));
  }

  /** Drops the cached key (for instance after the source was rotated) and zeroes the buffer. */
  async forget(): Promise<void> {
    const pending = this.key;
    this.key = undefined;
    const key = await pending?.catch(() => undefined);
    key?.fill(0);
  }
}

/**
 * The master keys a process knows: `active` wraps new KEKs, every provider (active or retired) can
 * unwrap. During a master-key rotation the ring holds both; afterwards only the new one.
 */
export class MasterKeyRing {
  private readonly byId = new Map<string, MasterKeyProvider>();

  constructor(
    readonly active: MasterKeyProvider,
    retired: readonly MasterKeyProvider[] = [],
  ) {
    for (const provider of [active, ...retired]) {
      if (this.byId.has(provider.id)) throw new MasterKeyError(`duplicate master key id ${provider.id}`);
      this.byId.set(provider.id, provider);
    }
  }

  get(id: string): MasterKeyProvider {
    const provider = this.byId.get(id);
    if (!provider) throw new MasterKeyError(`unknown master key id ${id}`);
    return provider;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Every key of the ring, the active one first. */
  get all(): MasterKeyProvider[] {
    return [...this.byId.values()];
  }
}

/** Accepts either a single provider or a ring wherever "the master keys that can unwrap" are needed. */
export function toKeyRing(masters: MasterKeyRing | MasterKeyProvider): MasterKeyRing {
  return masters instanceof MasterKeyRing ? masters : new MasterKeyRing(masters);
}
