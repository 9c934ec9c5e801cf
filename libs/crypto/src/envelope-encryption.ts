import { randomBytes } from 'node:crypto';
import { AES_KEY_BYTES, aesGcmOpen, aesGcmSeal } from './aes-gcm';
import { AAD_DOMAIN, encodeAad } from './canonical-aad';
import { DecryptionError } from './crypto.errors';
import type {
  EncryptedSecretValue,
  KekContext,
  ProjectKek,
  SecretVersionContext,
  WrappedKek,
} from './envelope.types';
import { toKeyRing, type MasterKeyProvider, type MasterKeyRing } from './master-key.provider';

/**
 * Envelope encryption: master key -> project KEK -> per-version data key -> value.
 *
 * - A fresh data key per secret version means a leaked data key exposes one value, and a KEK never
 *   encrypts bulk data (so its nonce budget is spent slowly).
 * - Each level authenticates the identity of what it protects (AAD), so ciphertexts cannot be moved:
 *   a value between rows, a data key between values, a KEK between projects or KEK versions.
 */

export function secretValueAad(ctx: SecretVersionContext): Buffer {
  return encodeAad(AAD_DOMAIN.secretValue, [
    ctx.organizationId,
    ctx.projectId,
    ctx.environmentId,
    ctx.secretId,
    String(ctx.version),
  ]);
}

/** The data key is bound to the same row *and* to the KEK version that wraps it. */
export function dataKeyAad(ctx: SecretVersionContext, kekVersion: number): Buffer {
  return encodeAad(AAD_DOMAIN.dataKey, [
    ctx.organizationId,
    ctx.projectId,
    ctx.environmentId,
    ctx.secretId,
    String(ctx.version),
    kekVersion,
  ]);
}

export function projectKekAad(ctx: KekContext): Buffer {
  return encodeAad(AAD_DOMAIN.projectKek, [ctx.organizationId, ctx.projectId, ctx.kekVersion]);
}

/** Creates a new project KEK and returns it both in memory and wrapped by the active master key. */
export async function createProjectKek(
  ctx: KekContext,
  master: MasterKeyProvider | MasterKeyRing,
): Promise<{ kek: ProjectKek; wrapped: WrappedKek }> {
  const active = toKeyRing(master).active;
  const key = randomBytes(AES_KEY_BYTES);
  const wrapped = await active.wrapKey(key, projectKekAad(ctx));
  return {
    kek: { organizationId: ctx.organizationId, projectId: ctx.projectId, kekVersion: ctx.kekVersion, key },
    wrapped: { format: 'v1', kekVersion: ctx.kekVersion, masterKeyId: active.id, wrapped },
  };
}

/**
 * Unwraps a stored KEK. `ctx` must come from the row's own key columns (never from the blob): the AAD
 * check then fails if the blob was copied from another project or KEK version.
 */
export async function unwrapProjectKek(
  ctx: KekContext,
  wrapped: WrappedKek,
  masters: MasterKeyProvider | MasterKeyRing,
): Promise<ProjectKek> {
  if (wrapped.kekVersion !== ctx.kekVersion) throw new DecryptionError();
  const key = await toKeyRing(masters)
    .get(wrapped.masterKeyId)
    .unwrapKey(wrapped.wrapped, projectKekAad(ctx));
  if (key.length !== AES_KEY_BYTES) throw new DecryptionError();
  return { organizationId: ctx.organizationId, projectId: ctx.projectId, kekVersion: ctx.kekVersion, key };
}

export function encryptSecretValue(
  plaintext: string | Uint8Array,
  ctx: SecretVersionContext,
  kek: ProjectKek,
): EncryptedSecretValue {
  // Refuse early (and loudly) rather than produce a blob that can never be decrypted.
  if (kek.organizationId !== ctx.organizationId || kek.projectId !== ctx.projectId) {
    throw new TypeError('the KEK belongs to another project');
  }
  const dataKey = randomBytes(AES_KEY_BYTES);
  try {
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const sealed = aesGcmSeal(dataKey, data, secretValueAad(ctx));
    const wrappedDataKey = {
      alg: 'A256GCM' as const,
      ...aesGcmSeal(kek.key, dataKey, dataKeyAad(ctx, kek.kekVersion)),
    };
    return { format: 'v1', alg: 'A256GCM', ...sealed, wrappedDataKey, kekVersion: kek.kekVersion };
  } finally {
    dataKey.fill(0);
  }
}

export function decryptSecretValue(
  encrypted: EncryptedSecretValue,
  ctx: SecretVersionContext,
  kek: ProjectKek,
): Buffer {
  const dataKey = unwrapDataKey(encrypted, ctx, kek);
  try {
    return openSecretValue(encrypted, ctx, dataKey);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * The two halves of {@link decryptSecretValue}, for a reader that keeps a hot version's data key in
 * memory (as it keeps the project KEK) instead of unwrapping it on every read.
 */
export function unwrapDataKey(
  encrypted: EncryptedSecretValue,
  ctx: SecretVersionContext,
  kek: ProjectKek,
): Buffer {
  if (encrypted.kekVersion !== kek.kekVersion) throw new DecryptionError();
  const dataKey = aesGcmOpen(kek.key, encrypted.wrappedDataKey, dataKeyAad(ctx, kek.kekVersion));
  if (dataKey.length !== AES_KEY_BYTES) {
    dataKey.fill(0);
    throw new DecryptionError();
  }
  return dataKey;
}

export function openSecretValue(
  encrypted: EncryptedSecretValue,
  ctx: SecretVersionContext,
  dataKey: Buffer,
): Buffer {
  return aesGcmOpen(dataKey, encrypted, secretValueAad(ctx));
}
