import { type ConfigShape, sensitiveKeys } from './config.loader';

/** Whether `--help` (or `-h`) is among a service's arguments. */
export function wantsHelp(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * A service's `--help`: what it is and every environment variable it reads, with its default, or
 * "required", straight from the validated config shape (so the text cannot drift from what the
 * service accepts). Defaults of sensitive variables are never printed.
 */
export function serviceHelp(options: { command: string; summary: string; shape: ConfigShape }): string {
  const sensitive = new Set(sensitiveKeys(options.shape));
  const rows = Object.entries(options.shape).map(([name, schema]) => {
    const unset = schema.safeParse(undefined);
    let value: string;
    if (!unset.success) value = 'required';
    else if (unset.data === undefined) value = 'optional';
    else value = sensitive.has(name) ? 'has a default' : `default ${JSON.stringify(unset.data)}`;
    return [name, sensitive.has(name) ? `${value}, secret` : value] as const;
  });
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `Usage: ${options.command}`,
    '',
    options.summary,
    '',
    'Configuration (environment variables; empty means unset):',
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
    'Options:',
    '  -h, --help  this text',
    '',
  ].join('\n');
}
