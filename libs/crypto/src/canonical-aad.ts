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

/** A field as the text whose UTF-8 bytes go into the AAD (validated: one field, one encoding). */
function fieldText(field: AadField): string {
  if (typeof field === 'number') {
    // Numbers are encoded as their decimal text; only safe non-negative integers have a single form.
    if (!Number.isSafeInteger(field) || field < 0)
      throw new TypeError('AAD numbers must be non-negative safe integers');
    return String(field);
  }
  if (typeof field !== 'string') throw new TypeError('AAD fields must be strings or integers');
  // Lone surrogates are all encoded as U+FFFD by UTF-8 encoders, so two different strings would collide.
  if (LONE_SURROGATE.test(field)) throw new TypeError('AAD strings must be well-formed Unicode');
  return field;
}

/** Every decryption builds one: sized first, then written into a single buffer. */
export function encodeAad(domain: string, fields: readonly AadField[]): Buffer {
  const texts = [domain, ...fields].map(fieldText);
  let size = 0;
  for (const text of texts) size += 4 + Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const text of texts) {
    const length = out.write(text, offset + 4, 'utf8');
    out.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return out;
}

/** Domain labels: one per kind of ciphertext. Bump the suffix if the field list of a domain changes. */
export const AAD_DOMAIN = {
  secretValue: 'mazevault:secret-value:v1',
  dataKey: 'mazevault:data-key:v1',
  projectKek: 'mazevault:project-kek:v1',
} as const;
