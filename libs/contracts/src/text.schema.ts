import { z } from 'zod';

/**
 * C0 and C1 control characters (NUL, escapes, DEL...). They have no place in a name, an email or a
 * certificate field, PostgreSQL refuses NUL in text and jsonb outright, and they forge log lines.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** A single-line string for names, emails and identifiers: no control characters, length-capped. */
export function plainText(min: number, max: number): z.ZodString {
  return (
    z
      .string()
      .min(min)
      .max(max)
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, { message: 'control characters are not allowed' })
  );
}
