/**
 * `npm run docs:roles`: rewrites the built-in role table in README.md from libs/rbac, so the
 * documentation cannot drift from the code (a unit test in libs/rbac fails when it has).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRoleTable } from '@mazevault/rbac';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'Usage: npm run docs:roles\n  Regenerates the role × permission table in README.md from libs/rbac.\n',
  );
} else {
  const path = join(__dirname, '..', '..', 'README.md');
  const before = readFileSync(path, 'utf8');
  const after = withRoleTable(before);
  writeFileSync(path, after);
  process.stdout.write(
    before === after ? 'README.md role table is up to date\n' : 'README.md role table regenerated\n',
  );
}
