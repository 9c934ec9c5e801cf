import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { ESLint } from 'eslint';

// End-to-end: the rule is wired into the real workspace eslint.config.mjs for app sources.
// Runs the ESLint CLI in a child process because ESLint loads its (ESM) config with a dynamic
// `import()`, which Jest's module sandbox rejects without --experimental-vm-modules.
const workspaceRoot = path.join(__dirname, '..', '..');
const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');

function lintApp(filePath: string, code: string): ESLint.LintResult['messages'] {
  const { stdout, stderr } = spawnSync(
    process.execPath,
    [
      eslintBin,
      ...['--format', 'json', '--stdin', '--stdin-filename', filePath],
      // The file exists only in memory, so no tsconfig includes it: the type-aware rules use
      // typescript-eslint's default project for exactly this path.
      ...['--parser-options', `projectService:{allowDefaultProject:['${filePath}']}`],
    ],
    { cwd: workspaceRoot, input: code, encoding: 'utf8' },
  );
  // The report is the JSON line; plugins may print warnings before it (e.g. @nx/enforce-module-boundaries
  // on a fresh clone, before anything has built Nx's project graph cache).
  const report = stdout.split('\n').find((line) => line.startsWith('['));
  if (!report) throw new Error(`eslint produced no report: ${stdout}${stderr}`);
  const [result] = JSON.parse(report) as ESLint.LintResult[];
  return result.messages;
}

const unguardedController = `import { Controller, Get } from '@nestjs/common';
@Controller('fixture')
export class FixtureController {
  @Get()
  list(): string[] {
    return [];
  }
}
`;

it('reports an unguarded route in app sources', () => {
  const messages = lintApp('apps/api-primary/src/__fixture__.controller.ts', unguardedController);
  expect(messages.map((m) => [m.ruleId, m.messageId, m.line])).toEqual([
    ['mazevault/require-auth-guard', 'missingAuthGuard', 5],
    ['mazevault/require-auth-guard', 'missingPermission', 5],
  ]);
}, 120_000);
