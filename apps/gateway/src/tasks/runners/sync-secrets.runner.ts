import type { GatewayTask } from '@mazevault/contracts';
import { SecretNotFoundError, type SecretStore } from '@mazevault/keyvault';

type Delivered = NonNullable<GatewayTask['secrets']>[number];

/**
 * Pushes the environment's secrets (delivered inside the sealed task) to its Project Key Vault,
 * writing only those whose value in the vault differs: an unchanged secret gets no new version, so
 * a redelivered sync writes nothing.
 */
export async function syncSecrets(
  vault: SecretStore,
  secrets: readonly Delivered[],
): Promise<{ written: number; unchanged: number }> {
  let written = 0;
  let unchanged = 0;
  for (const secret of secrets) {
    if ((await currentValue(vault, secret.path)) === secret.value) {
      unchanged += 1;
      continue;
    }
    await vault.createCredentials(secret.path, secret.value, {
      custom: { 'mazevault-version': String(secret.version) },
    });
    written += 1;
  }
  return { written, unchanged };
}

/** The vault's latest value as a string, or undefined when absent (or stored as a JSON object). */
async function currentValue(vault: SecretStore, path: string): Promise<string | undefined> {
  try {
    const data = await vault.getCredentials({ name: path });
    const keys = Object.keys(data);
    return keys.length === 1 && typeof data['value'] === 'string' ? data['value'] : undefined;
  } catch (error) {
    if (error instanceof SecretNotFoundError) return undefined;
    throw error;
  }
}
