import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { MasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';

/** HKDF `info` of the key that links audit rows, and of the one that signs checkpoints (never the same key). */
export const AUDIT_CHAIN_KEY_INFO = 'mazevault:audit-chain:v1';
export const AUDIT_CHECKPOINT_KEY_INFO = 'mazevault:audit-checkpoint:v1';

export interface AuditKey {
  /** A public fingerprint of the key (it changes with the master key), stored with each row it links. */
  id: string;
  key: KeyObject;
}

interface KeyPair {
  id: string;
  chain: KeyObject;
  checkpoint: KeyObject;
}

/**
 * The audit chain's keys, derived with HKDF from each master key of the ring (never stored in the
 * database). New links use the active master key's; each row stores the fingerprint of its key, so
 * verification picks the right one, and rows linked before a master-key rotation verify as long as
 * the ring still holds the previous key (MASTER_KEY_PREVIOUS). The fingerprint is taken from the
 * derived key itself, not from the provider's id, so it changes whenever the key material does.
 */
export class AuditKeys {
  private readonly derived = new Map<MasterKeyProvider, Promise<KeyPair>>();

  constructor(private readonly masters: MasterKeyRing) {}

  async active(): Promise<AuditKey> {
    const pair = await this.derive(this.masters.active);
    return { id: pair.id, key: pair.chain };
  }

  async activeCheckpointKey(): Promise<AuditKey> {
    const pair = await this.derive(this.masters.active);
    return { id: pair.id, key: pair.checkpoint };
  }

  /** Link keys by fingerprint, for every master key of the ring. */
  async chainKeys(): Promise<Map<string, KeyObject>> {
    return new Map((await this.all()).map((pair) => [pair.id, pair.chain]));
  }

  /** Checkpoint keys by the same fingerprint. */
  async checkpointKeys(): Promise<Map<string, KeyObject>> {
    return new Map((await this.all()).map((pair) => [pair.id, pair.checkpoint]));
  }

  private all(): Promise<KeyPair[]> {
    return Promise.all(this.masters.all.map((provider) => this.derive(provider)));
  }

  private derive(provider: MasterKeyProvider): Promise<KeyPair> {
    let pair = this.derived.get(provider);
    if (!pair) {
      pair = Promise.all([
        provider.deriveKey(AUDIT_CHAIN_KEY_INFO),
        provider.deriveKey(AUDIT_CHECKPOINT_KEY_INFO),
      ]).then(([chain, checkpoint]) => {
        const id =
          'ak1:' + createHmac('sha256', chain).update('mazevault:audit-key-id').digest('hex').slice(0, 16);
        const keys = { id, chain: createSecretKey(chain), checkpoint: createSecretKey(checkpoint) };
        chain.fill(0);
        checkpoint.fill(0);
        return keys;
      });
      // A failed load (the key source was unreachable) is retried on the next call.
      pair.catch(() => this.derived.delete(provider));
      this.derived.set(provider, pair);
    }
    return pair;
  }
}
