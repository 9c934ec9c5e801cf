import type { AesGcmSealed } from './aes-gcm';

/**
 * Identity of one secret version. Every field goes into the AAD of the value ciphertext, so a stored
 * row copied onto another row (another secret, environment, project, organization or version) no
 * longer decrypts. `version` may be the numeric version or its string form: both encode identically.
 */
export interface SecretVersionContext {
  organizationId: string;
  projectId: string;
  environmentId: string;
  secretId: string;
  version: number | string;
}

/** Identity of a project key-encryption key (KEK); bound into the AAD of the wrapped KEK. */
export interface KekContext {
  organizationId: string;
  projectId: string;
  /** Incremented when the project's KEK is rotated; old versions stay until re-encryption completes. */
  kekVersion: number;
}

/** A key (data key or KEK) encrypted under another key with AES-256-GCM. */
export interface WrappedKey extends AesGcmSealed {
  alg: 'A256GCM';
}

/** A project KEK wrapped by a master key. `masterKeyId` says which master key can unwrap it. */
export interface WrappedKek {
  format: 'v1';
  kekVersion: number;
  masterKeyId: string;
  wrapped: WrappedKey;
}

/** A project KEK in memory. Never persist `key`; persist the {@link WrappedKek}. */
export interface ProjectKek extends KekContext {
  key: Buffer;
}

/**
 * One encrypted secret version: the value under a fresh data key, and that data key wrapped by the
 * project KEK `kekVersion`. Rotating the master key never touches this structure.
 */
export interface EncryptedSecretValue {
  format: 'v1';
  alg: 'A256GCM';
  ciphertext: Buffer;
  nonce: Buffer;
  tag: Buffer;
  wrappedDataKey: WrappedKey;
  kekVersion: number;
}
