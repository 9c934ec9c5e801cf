// Workspace-wide ESLint flat config (`npm run lint` = `nx run-many -t lint`; each project's
// @nx/eslint:lint target lints its own root with this file).
import { createRequire } from 'node:module';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The local plugin is CommonJS (it compiles its TypeScript rules on load): no build step needed.
const mazevault = createRequire(import.meta.url)('./tools/eslint-rules/index.cjs');

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'];

// Architecture, on two tag axes (see the `tags` of every project.json). There is deliberately no
// `{ sourceTag: '*' }` escape hatch: a project whose tags match no constraint cannot import any project.
// type: layering, dependencies point "down" only. `testing` (fakes, fixtures) is production-unreachable.
const TYPE_DEPS = {
  app: ['domain', 'infra'],
  infra: ['domain', 'infra'],
  domain: ['domain'],
  testing: ['domain', 'infra', 'testing'],
};
// scope: deployables share `scope:shared` libs but never each other's code.
const DEPLOYABLE_SCOPES = ['primary', 'gateway', 'ocsp', 'worker', 'agent'];
// lib: the finer rules of the architecture for the libraries at the bottom (docs/architecture.md):
// crypto and contracts depend on no other project, pki only on crypto. (No app imports another app:
// `type:app` may only depend on domain/infra libs, and the rule itself refuses imports of apps.)
const LIB_DEPS = {
  crypto: [],
  contracts: [],
  pki: ['crypto'],
};

/** `@nx/enforce-module-boundaries` options; test files of apps may additionally use `type:testing`. */
function moduleBoundaries({ testFiles }) {
  const typeConstraints = Object.entries(TYPE_DEPS).map(([type, deps]) => ({
    sourceTag: `type:${type}`,
    onlyDependOnLibsWithTags: [...deps, ...(testFiles && type === 'app' ? ['testing'] : [])].map(
      (t) => `type:${t}`,
    ),
  }));
  const scopeConstraints = [
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ...DEPLOYABLE_SCOPES.map((scope) => ({
      sourceTag: `scope:${scope}`,
      onlyDependOnLibsWithTags: ['scope:shared', `scope:${scope}`],
    })),
  ];
  // An empty list means: no workspace project at all.
  const libConstraints = Object.entries(LIB_DEPS).map(([lib, deps]) => ({
    sourceTag: `lib:${lib}`,
    onlyDependOnLibsWithTags: deps.map((d) => `lib:${d}`),
  }));
  return [
    'error',
    {
      // The rule's built-in checks also ban relative/absolute imports across projects and imports of
      // apps, so a project is only reachable through its `@mazevault/<name>` alias.
      allow: [],
      // Every npm import must be a declared dependency in package.json (no hoisting accidents).
      banTransitiveDependencies: true,
      depConstraints: [...typeConstraints, ...scopeConstraints, ...libConstraints],
    },
  ];
}

export default defineConfig(
  { ignores: ['**/node_modules/', '**/dist/', '**/tmp/', '**/coverage/', '.nx/', '.mazevault/'] },

  // Plain JS (jest/tooling *.cjs, this file): no type information exists for it, so syntax rules only.
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  // TypeScript: type-aware. The project service picks each file's nearest tsconfig.json (falling back
  // to the root one, which includes apps/libs/tools/bench), so new projects need no config here.
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ testFiles: false }),
      // Deep imports bypass a project's public API (src/index.ts): only `@mazevault/<name>` itself.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@mazevault/*/**'],
              message: 'Import a project only through its alias `@mazevault/<name>`.',
            },
          ],
        },
      ],
      // An un-awaited promise loses its rejection (and, for audit/secret writes, the write itself).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Adding a member to a union (key type, cert status, permission…) must break every switch on it
      // that does not handle the rest explicitly in a `default:`.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Not enabled on purpose: `consistent-type-imports` — with emitDecoratorMetadata, NestJS DI needs
      // constructor parameter types imported as values; turning them into `import type` breaks injection.
    },
  },

  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ testFiles: true }) },
  },

  // Every HTTP route of the deployables is authenticated + authorised, or explicitly @Public.
  {
    files: ['apps/**/*.ts'],
    ignores: TEST_FILES,
    plugins: { mazevault },
    rules: { 'mazevault/require-auth-guard': 'error' },
  },

  // Last: switch off every stylistic rule that would fight Prettier.
  prettier,
);
