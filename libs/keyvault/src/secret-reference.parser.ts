import { InvalidSecretReferenceError } from './secret-store.errors';
import type { SecretRef } from './secret-store.types';

/**
 * The canonical secret reference syntax, shared by every provider:
 *
 *     <provider>://<vault>/<name...>[?version=<v>][#<field>]      azure://kv-prod/app/db?version=3f2a#username
 *     <name...>[?version=<v>][#<field>]                            app/db#password   (raw name: default store)
 *
 * `#field` may also come before `?version=` (`azure://vault/app/db#username?version=v1`), a common
 * hand-written order that strict URL parsing would turn into the field name `username?version=v1`.
 * Segments are percent-decoded; empty segments, `.`/`..` and unknown query parameters are refused
 * rather than guessed at, because a reference that resolves to another secret is worse than an error.
 */
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i;

function decode(part: string, what: string, input: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InvalidSecretReferenceError(
      `invalid percent-encoding in the ${what} of secret reference "${input}"`,
    );
  }
}

function parseQuery(query: string, input: string): string | undefined {
  let version: string | undefined;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), 'query', input);
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1), 'query', input);
    if (key !== 'version')
      throw new InvalidSecretReferenceError(`unsupported parameter "${key}" in secret reference "${input}"`);
    if (!value) throw new InvalidSecretReferenceError(`empty version in secret reference "${input}"`);
    if (version !== undefined)
      throw new InvalidSecretReferenceError(`version given twice in secret reference "${input}"`);
    version = value;
  }
  return version;
}

export function parseSecretReference(input: string): SecretRef {
  if (typeof input !== 'string' || !input.trim())
    throw new InvalidSecretReferenceError('empty secret reference');
  let rest = input.trim();
  const ref: Partial<SecretRef> = {};

  const scheme = SCHEME.exec(rest);
  if (scheme) {
    ref.provider = scheme[1].toLowerCase();
    rest = scheme[2];
    const slash = rest.indexOf('/');
    const vault = slash < 0 ? rest : rest.slice(0, slash);
    if (!vault || /[?#]/.test(vault))
      throw new InvalidSecretReferenceError(`missing vault in secret reference "${input}"`);
    ref.vault = decode(vault, 'vault', input);
    rest = slash < 0 ? '' : rest.slice(slash + 1);
  }

  // Split off fragment and query in either order.
  let fragment: string | undefined;
  let query: string | undefined;
  const hash = rest.indexOf('#');
  const qmark = rest.indexOf('?');
  if (hash >= 0 && (qmark < 0 || hash < qmark)) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    const q = fragment.indexOf('?');
    if (q >= 0) {
      query = fragment.slice(q + 1);
      fragment = fragment.slice(0, q);
    }
  } else if (qmark >= 0) {
    query = rest.slice(qmark + 1);
    rest = rest.slice(0, qmark);
    const h = query.indexOf('#');
    if (h >= 0) {
      fragment = query.slice(h + 1);
      query = query.slice(0, h);
    }
  }

  const segments = rest.split('/').map((s) => decode(s, 'name', input));
  if (segments.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new InvalidSecretReferenceError(`invalid secret name in reference "${input}"`);
  }
  ref.name = segments.join('/');

  if (fragment !== undefined) {
    const key = decode(fragment, 'field', input);
    if (!key) throw new InvalidSecretReferenceError(`empty field in secret reference "${input}"`);
    ref.key = key;
  }
  if (query !== undefined) {
    const version = parseQuery(query, input);
    if (version !== undefined) ref.version = version;
  }
  return ref as SecretRef;
}

/** Formats a reference back into its canonical form (`#field` last). */
export function formatSecretReference(ref: SecretRef): string {
  const name = ref.name.split('/').map(encodeURIComponent).join('/');
  const base = ref.provider ? `${ref.provider}://${encodeURIComponent(ref.vault ?? '')}/${name}` : name;
  const query = ref.version ? `?version=${encodeURIComponent(ref.version)}` : '';
  const fragment = ref.key ? `#${encodeURIComponent(ref.key)}` : '';
  return base + query + fragment;
}
