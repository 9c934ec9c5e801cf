/**
 * Creates the first organization and admin on an empty platform (production counterpart of what the
 * dev platform does): `npm run bootstrap-admin -- --email admin@example.com`. Prints the generated
 * password once. Does nothing when any user exists.
 */
import 'reflect-metadata';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { ConfigValidationError } from '@mazevault/platform';
import { loadCliDatabaseConfig } from '../config/cli.config';
import { type BootstrapResult, bootstrapAdmin } from '../bootstrap/bootstrap-admin';

const USAGE = `Usage: npm run bootstrap-admin -- [--email <email>] [--organization <slug>] [--json]

Creates the first organization and its admin when the platform has no user yet, and prints the
generated password once. Reads DATABASE_URL; migrations must have been applied. --json prints the
result as one JSON line ({created, email, password?, existingAdmins?}) for the dev platform.
On a database without the schema it exits 1 and says to run \`npm run migration:run\` first.`;

/** Who administers the platform when nothing was created: never claim `--email` exists when it does not. */
export function describeExisting(result: BootstrapResult): string {
  const admins = result.existingAdmins ?? [];
  if (admins.length === 0) return 'no enabled platform admin exists';
  if (admins.includes(result.email)) return `platform admin ${result.email} exists`;
  return `no user ${result.email}; platform admin${admins.length > 1 ? 's' : ''}: ${admins.join(', ')}`;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let url: string;
  try {
    url = loadCliDatabaseConfig().DATABASE_URL;
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const dataSource = await createPrimaryDataSource({ url }).initialize();
  try {
    const result = await bootstrapAdmin(dataSource, {
      email: option('--email'),
      organizationSlug: option('--organization'),
    });
    if (process.argv.includes('--json')) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    }
    process.stdout.write(
      result.created
        ? `created admin ${result.email}\npassword: ${result.password}\n(shown once: store it in your password manager now)\n`
        : `users already exist; nothing changed (${describeExisting(result)})\n`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `bootstrap-admin failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
