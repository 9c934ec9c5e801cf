import { z } from 'zod';

/**
 * Config is read from the environment exactly once, at start-up, through a zod schema. A bad or
 * missing value stops the process with a message that names the variable (never its value, which may
 * be a secret). Fields wrapped in `sensitive()` are redacted wherever config is printed or logged.
 */
const sensitiveFields = z.registry<{ sensitive: true }>();

export function sensitive<T extends z.ZodType>(schema: T): T {
  sensitiveFields.add(schema, { sensitive: true });
  return schema;
}

export class ConfigValidationError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigValidationError';
  }
}

export type ConfigShape = Record<string, z.ZodType>;

export function loadConfig<S extends ConfigShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  // Empty strings mean "unset": `FOO=` in a compose file should fall back to the default.
  const input = Object.fromEntries(
    Object.keys(shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigValidationError(
      result.error.issues.map((issue) => ({
        variable: issue.path.map(String).join('.') || '(root)',
        // zod messages describe the expectation, not the received value, so they are safe to print.
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** The names of the fields marked `sensitive()` in a config shape. */
export function sensitiveKeys(shape: ConfigShape): string[] {
  return Object.entries(shape)
    .filter(([, schema]) => isSensitive(schema))
    .map(([key]) => key);
}

function isSensitive(schema: z.ZodType): boolean {
  if (sensitiveFields.has(schema)) return true;
  // `.optional()` / `.default()` wrap the marked schema; look through the wrappers.
  const inner = (schema as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
  return inner ? isSensitive(inner) : false;
}

export function redactConfig<T extends Record<string, unknown>>(config: T, shape: ConfigShape): T {
  const redacted: Record<string, unknown> = { ...config };
  for (const key of sensitiveKeys(shape)) {
    if (redacted[key] !== undefined) redacted[key] = '[REDACTED]';
  }
  return redacted as T;
}

/** Common coercions for environment strings. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  url: (protocols: string[]) =>
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `expected a URL (${protocols.join(', ')})` },
    ),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
