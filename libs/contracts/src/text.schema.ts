import { z } from 'zod';

/**
 * C0 and C1 control characters (NUL, escapes, DEL...), written as regex escapes. They have no place in
 * a name, an email or a certificate field, PostgreSQL refuses NUL in text and jsonb outright, and they
 * forge log lines.
 */
const CONTROL_CHARACTERS = '\\u0000-\\u001f\\u007f-\\u009f';
const WITHOUT_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL_CHARACTERS}]*$`);

/** A single-line string for names, emails and identifiers: no control characters, length-capped. */
export function plainText(min: number, max: number): z.ZodString {
  return z
    .string()
    .min(min)
    .max(max)
    .regex(WITHOUT_CONTROL_CHARACTERS, { message: 'control characters are not allowed' });
}
