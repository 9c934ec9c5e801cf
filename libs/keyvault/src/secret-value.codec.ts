import type { SecretData, SecretValue } from './secret-store.types';

/**
 * How secret values are stored as provider strings and read back as objects: objects are JSON
 * (content type application/json), strings are stored verbatim (text/plain). On read, a JSON object is
 * returned as is, anything else (including JSON arrays or numbers, and values written by other tools)
 * as `{ value: "<raw string>" }`, so callers always get an object.
 */
export const JSON_CONTENT_TYPE = 'application/json';
export const TEXT_CONTENT_TYPE = 'text/plain';

export function encodeSecretValue(data: SecretValue): { value: string; contentType: string } {
  if (typeof data === 'string') return { value: data, contentType: TEXT_CONTENT_TYPE };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TypeError('secret data must be a JSON object or a string');
  }
  return { value: JSON.stringify(data), contentType: JSON_CONTENT_TYPE };
}

export function decodeSecretValue(
  raw: string,
  contentType: string | undefined,
): { data: SecretData; scalar: boolean } {
  const declaredText = contentType !== undefined && contentType !== JSON_CONTENT_TYPE;
  if (!declaredText && raw.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        return { data: parsed as SecretData, scalar: false };
    } catch {
      // Not JSON after all: a scalar that happens to start with "{".
    }
  }
  return { data: { value: raw }, scalar: true };
}

/** Applies a `#key` projection: `{ [key]: value }`, or `{ [key]: null }` for a scalar or a missing key. */
export function projectSecretField(
  decoded: { data: SecretData; scalar: boolean },
  key: string | undefined,
): SecretData {
  if (key === undefined) return decoded.data;
  if (decoded.scalar || !Object.prototype.hasOwnProperty.call(decoded.data, key)) return { [key]: null };
  return { [key]: decoded.data[key] };
}
