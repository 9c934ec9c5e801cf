import { z } from 'zod';

export const CreateConsoleInstanceRequestSchema = z.strictObject({
  /** Defaults to a generated id. Lower-case letters, digits, inner hyphens. */
  id: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, {
      message: 'lower-case letters, digits and inner hyphens, at most 48',
    })
    .optional(),
  name: z.string().min(1).max(200),
});
export type CreateConsoleInstanceRequest = z.infer<typeof CreateConsoleInstanceRequestSchema>;

export const UpsertConsoleConnectionRequestSchema = z
  .strictObject({
    dbUri: z.string().min(1).max(4096).optional(),
    oidcClientSecret: z.string().min(1).max(1024).optional(),
  })
  .refine((b) => b.dbUri !== undefined || b.oidcClientSecret !== undefined, {
    message: 'give dbUri, oidcClientSecret or both',
  });
export type UpsertConsoleConnectionRequest = z.infer<typeof UpsertConsoleConnectionRequestSchema>;
