import { z } from 'zod';
import { plainText } from './text.schema';

const CustomMetadataSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, { message: 'keys: 1-128 letters, digits, ".", "_", "-"' }),
    plainText(0, 512),
  )
  .refine((m) => Object.keys(m).length <= 64, { message: 'at most 64 entries' });

export const WriteSecretRequestSchema = z.strictObject({
  /** Any JSON value: an object (returned as a dict) or a scalar (returned as `{value}`). */
  value: z.json(),
  /** Check-and-set: the current version you expect (0 = the secret must not exist yet). */
  cas: z.number().int().min(0).optional(),
  customMetadata: CustomMetadataSchema.optional(),
});
export type WriteSecretRequest = z.infer<typeof WriteSecretRequestSchema>;

export const SecretVersionsRequestSchema = z.strictObject({
  versions: z.array(z.number().int().min(1)).min(1).max(100),
});
export type SecretVersionsRequest = z.infer<typeof SecretVersionsRequestSchema>;

export const UpdateSecretMetadataRequestSchema = z.strictObject({
  customMetadata: CustomMetadataSchema.optional(),
  /** merge: add/overwrite the given keys; replace: the given map becomes the whole metadata. */
  mode: z.enum(['merge', 'replace']).default('merge'),
  /** Versions kept before the oldest are destroyed (0 = keep all). */
  maxVersions: z.number().int().min(0).max(1000).optional(),
});
export type UpdateSecretMetadataRequest = z.infer<typeof UpdateSecretMetadataRequestSchema>;

export const UnwrapRequestSchema = z.strictObject({ token: z.string().min(10).max(200) });
export type UnwrapRequest = z.infer<typeof UnwrapRequestSchema>;

/** `30`, `30s`, `5m`, `1h` → seconds. */
export function parseDurationSeconds(input: string): number | undefined {
  const match = /^(\d{1,7})([smh]?)$/.exec(input.trim());
  if (!match) return undefined;
  const factor = { '': 1, s: 1, m: 60, h: 3600 }[match[2] as '' | 's' | 'm' | 'h'];
  const seconds = Number(match[1]) * factor;
  return seconds > 0 ? seconds : undefined;
}
