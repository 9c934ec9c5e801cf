import { SecretNotFoundError, type SecretMetadata, type SecretStore } from '@mazevault/keyvault';
import { randomBytes } from 'node:crypto';

/** The Key Vault tag naming the task that wrote a version: a redelivered rotation finds its own. */
export const ROTATION_KEY_TAG = 'mazevault-idempotency-key';

export interface Rotation {
  value: string;
  keyVaultVersion: string;
}

/**
 * A new random value (32 bytes, base64url) for one secret in the Project Key Vault, tagged with the
 * task's idempotency key. If the latest version already carries the key (the gateway wrote it, then
 * crashed before recording or reporting), that version is reused: one task rotates once.
 */
export async function rotateVaultSecret(
  vault: SecretStore,
  path: string,
  idempotencyKey: string,
): Promise<Rotation> {
  const current = await latestMetadata(vault, path);
  if (current?.custom[ROTATION_KEY_TAG] === idempotencyKey)
    return { value: await readVersion(vault, path, current.version), keyVaultVersion: current.version };
  const value = randomBytes(32).toString('base64url');
  const written = await vault.createCredentials(path, value, {
    // Tags belong to a version: the secret's other tags are carried onto the new one.
    custom: { ...(current?.custom ?? {}), [ROTATION_KEY_TAG]: idempotencyKey },
  });
  return { value, keyVaultVersion: written.version };
}

/** The value of one version, read back from the vault (the task log keeps the version, never the value). */
export async function readVersion(vault: SecretStore, path: string, version: string): Promise<string> {
  const data = await vault.getCredentials({ name: path, version });
  const value = data['value'];
  if (typeof value !== 'string') throw new Error('the rotated version does not hold a string value');
  return value;
}

async function latestMetadata(vault: SecretStore, path: string): Promise<SecretMetadata | undefined> {
  try {
    return await vault.readSecretMetadata(path);
  } catch (error) {
    if (error instanceof SecretNotFoundError) return undefined;
    throw error;
  }
}
