import { InvalidSecretReferenceError } from './secret-store.errors';

/**
 * Reversible mapping of MazeVault secret names (any Unicode, slash-separated paths such as
 * `app/db-primary`) onto Azure Key Vault secret names, which allow only `[0-9a-zA-Z-]{1,127}` and
 * are CASE-INSENSITIVE (`App` and `app` are the same secret). So the output uses only `[0-9a-z-]`:
 *
 *   a-z 0-9     -> themselves                 `app/db`        -> `app--db`
 *   /           -> `--`                       `my-app/db`     -> `my-happ--db`
 *   -           -> `-h`                       `App`           -> `-uapp`
 *   A-Z         -> `-u` + lowercase letter    `a_b`           -> `a-x5fb`
 *   anything else: `-x` + two lowercase hex digits per UTF-8 byte
 *
 * Plain characters never contain `-` and every escape starts with `-` plus a distinct marker, so the
 * code is prefix-free and decoding is unique; case is carried by `-u`, so names differing only in case
 * stay distinct in a case-insensitive vault. Names already in the vault that do not decode (created by
 * other tools) are simply not ours: {@link tryDecodeKeyVaultName} returns undefined for them.
 */
export const KEY_VAULT_NAME_MAX = 127;

export function encodeKeyVaultName(name: string): string {
  if (!name) throw new InvalidSecretReferenceError('secret name must not be empty');
  let out = '';
  for (const ch of name) {
    if (/[a-z0-9]/.test(ch)) out += ch;
    else if (ch === '/') out += '--';
    else if (ch === '-') out += '-h';
    else if (/[A-Z]/.test(ch)) out += '-u' + ch.toLowerCase();
    else for (const byte of Buffer.from(ch, 'utf8')) out += '-x' + byte.toString(16).padStart(2, '0');
  }
  if (out.length > KEY_VAULT_NAME_MAX) {
    throw new InvalidSecretReferenceError(
      `secret name is too long for Key Vault once encoded (${out.length} > ${KEY_VAULT_NAME_MAX})`,
    );
  }
  return out;
}

export function tryDecodeKeyVaultName(encoded: string): string | undefined {
  // The vault may return the name with the case it was created with; ours are lowercase anyway.
  const s = encoded.toLowerCase();
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (/[a-z0-9]/.test(c)) {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    if (c !== '-') return undefined;
    const marker = s[++i];
    if (marker === '-') bytes.push(0x2f);
    else if (marker === 'h') bytes.push(0x2d);
    else if (marker === 'u' && /[a-z]/.test(s[i + 1] ?? '')) bytes.push(s[++i].toUpperCase().charCodeAt(0));
    else if (marker === 'x' && /^[0-9a-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else return undefined;
  }
  if (bytes.length === 0) return undefined;
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  // Only the encoder's canonical form decodes (e.g. `-x61` for "a" does not): the mapping stays one-to-one.
  try {
    return encodeKeyVaultName(name) === s ? name : undefined;
  } catch {
    return undefined;
  }
}

export function decodeKeyVaultName(encoded: string): string {
  const name = tryDecodeKeyVaultName(encoded);
  if (name === undefined)
    throw new InvalidSecretReferenceError(`"${encoded}" is not a MazeVault-encoded Key Vault name`);
  return name;
}

/** Key Vault's own name syntax. */
const KEY_VAULT_NATIVE_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * How a store names its secrets in the vault: `encoded` (default) maps any MazeVault path reversibly
 * with {@link encodeKeyVaultName}; `verbatim` uses names that are already Key Vault names unchanged —
 * for secrets other tools read by a fixed name, such as the Console's `instance-{id}-dburi`.
 */
export type KeyVaultNaming = 'encoded' | 'verbatim';

export function toKeyVaultName(name: string, naming: KeyVaultNaming): string {
  if (naming === 'encoded') return encodeKeyVaultName(name);
  if (!KEY_VAULT_NATIVE_NAME.test(name)) {
    throw new InvalidSecretReferenceError(
      'with verbatim naming, secret names must be 1-127 letters, digits and hyphens',
    );
  }
  return name;
}

export function fromKeyVaultName(kvName: string, naming: KeyVaultNaming): string | undefined {
  return naming === 'encoded' ? tryDecodeKeyVaultName(kvName) : kvName;
}
