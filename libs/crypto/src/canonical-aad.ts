/**
 * Canonical encoding of additional authenticated data (AAD).
 *
 * The AAD binds a ciphertext to the row it belongs to, so it must be *unambiguous*: naive joins such as
 * `${org}/${project}` let ("a/b", "c") and ("a", "b/c") collide, and a row could then be copied onto
 * another whose identifiers concatenate to the same string. Every field is therefore length-prefixed
 * (uint32 big-endian byte length, then the UTF-8 bytes), and the list starts with a domain label so an
 * AAD built for one purpose (say a wrapped KEK) can never equal one built for another (a secret value).
 */
export type AadField = string | number;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fieldBytes(field: AadField): Buffer {
  if (typeof field === 'number') {
    // Numbers are encoded as their decimal text; only safe non-negative integers have a single form.
    if (!Number.isSafeInteger(field) || field < 0)
      throw new TypeError('AAD numbers must be non-negative safe integers');
    return Buffer.from(String(field), 'utf8');
  }
  if (typeof field !== 'string') throw new TypeError('AAD fields must be strings or integers');
  // Lone surrogates are all encoded as U+FFFD by UTF-8 encoders, so two different strings would collide.
  if (LONE_SURROGATE.test(field)) throw new TypeError('AAD strings must be well-formed Unicode');
  return Buffer.from(field, 'utf8');
}

export function encodeAad(domain: string, fields: readonly AadField[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of [domain, ...fields]) {
    const bytes = fieldBytes(field);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/** Domain labels: one per kind of ciphertext. Bump the suffix if the field list of a domain changes. */
export const AAD_DOMAIN = {
  secretValue: 'mazevault:secret-value:v1',
  dataKey: 'mazevault:data-key:v1',
  projectKek: 'mazevault:project-kek:v1',
} as const;
