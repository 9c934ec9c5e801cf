import { z } from 'zod';
import { plainText } from './text.schema';

export const LoginRequestSchema = z.strictObject({
  email: plainText(3, 320),
  password: z.string().min(1).max(1024),
  /** Organization slug: needed only when the email has accounts in several organizations. */
  organization: plainText(1, 63).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;
