import { z } from 'zod';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aes-gcm';
import { UnsupportedFormatError } from './crypto.errors';
import type { EncryptedSecretValue, WrappedKek, WrappedKey } from './envelope.types';

/**
 * Serialized (storage) forms of the envelope structures: JSON text with a leading `"v":1` and base64
 * byte fields, so it fits a TEXT or JSONB column and an older build refuses a newer version loudly
 * instead of misreading it. Parsing validates every length, so a truncated tag is a format error
 * rather than a weaker authentication check.
 */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const bytes = (length?: number) =>
  z
    .string()
    .regex(STRICT_BASE64)
    .transform((s) => Buffer.from(s, 'base64'))
    .refine((b) => length === undefined || b.length === length, { message: `expected ${length} bytes` });

const wrappedKeySchema = z.object({
  alg: z.literal('A256GCM'),
  nonce: bytes(GCM_NONCE_BYTES),
  ciphertext: bytes(),
  tag: bytes(GCM_TAG_BYTES),
});

const kekVersion = z.number().int().nonnegative();

const encryptedValueSchema = z.object({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  kekVersion,
  nonce: bytes(GCM_NONCE_BYTES),
  ciphertext: bytes(),
  tag: bytes(GCM_TAG_BYTES),
  dek: wrappedKeySchema,
});

const wrappedKekSchema = z.object({
  v: z.literal(1),
  kekVersion,
  masterKeyId: z.string().min(1),
  kek: wrappedKeySchema,
});

const b64 = (b: Buffer) => b.toString('base64');
const wrappedKeyJson = (k: WrappedKey) => ({
  alg: k.alg,
  nonce: b64(k.nonce),
  ciphertext: b64(k.ciphertext),
  tag: b64(k.tag),
});

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnsupportedFormatError(`${what}: not JSON`);
  }
}

function checkVersion(raw: unknown, what: string): void {
  const v = (raw as { v?: unknown } | null)?.v;
  if (v !== 1)
    throw new UnsupportedFormatError(`${what}: unsupported format version ${JSON.stringify(v ?? null)}`);
}

export function serializeEncryptedValue(value: EncryptedSecretValue): string {
  return JSON.stringify({
    v: 1,
    alg: value.alg,
    kekVersion: value.kekVersion,
    nonce: b64(value.nonce),
    ciphertext: b64(value.ciphertext),
    tag: b64(value.tag),
    dek: wrappedKeyJson(value.wrappedDataKey),
  });
}

export function parseEncryptedValue(text: string): EncryptedSecretValue {
  const raw = parseJson(text, 'encrypted value');
  checkVersion(raw, 'encrypted value');
  const parsed = encryptedValueSchema.safeParse(raw);
  if (!parsed.success) throw new UnsupportedFormatError('encrypted value: malformed v1 envelope');
  const { kekVersion: kv, nonce, ciphertext, tag, dek } = parsed.data;
  return { format: 'v1', alg: 'A256GCM', kekVersion: kv, nonce, ciphertext, tag, wrappedDataKey: dek };
}

export function serializeWrappedKek(kek: WrappedKek): string {
  return JSON.stringify({
    v: 1,
    kekVersion: kek.kekVersion,
    masterKeyId: kek.masterKeyId,
    kek: wrappedKeyJson(kek.wrapped),
  });
}

export function parseWrappedKek(text: string): WrappedKek {
  const raw = parseJson(text, 'wrapped KEK');
  checkVersion(raw, 'wrapped KEK');
  const parsed = wrappedKekSchema.safeParse(raw);
  if (!parsed.success) throw new UnsupportedFormatError('wrapped KEK: malformed v1 envelope');
  return {
    format: 'v1',
    kekVersion: parsed.data.kekVersion,
    masterKeyId: parsed.data.masterKeyId,
    wrapped: parsed.data.kek,
  };
}
