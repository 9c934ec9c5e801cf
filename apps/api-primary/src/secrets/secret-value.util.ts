import type { SecretData } from '@mazevault/keyvault';
import type { JsonValue } from './secrets.service';

/**
 * The canonical-URI view of a stored value: a JSON object is returned as the dict it is; any scalar
 * (or array) as `{ value: <scalar> }` — the same shape every SecretStore strategy returns.
 */
export function toSecretData(value: JsonValue): { data: SecretData; scalar: boolean } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return { data: value, scalar: false };
  return { data: { value }, scalar: true };
}
