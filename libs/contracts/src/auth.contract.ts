import { z } from 'zod';

export const LoginRequestSchema = z.strictObject({
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(1024),
  /** Organization slug: needed only when the email has accounts in several organizations. */
  organization: z.string().min(1).max(63).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;
