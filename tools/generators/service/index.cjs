// `npx nx g ./tools/generators:service <name>`: a new deployable app with MazeVault's conventions
// (tags on both axes, config validated at start-up, /api/v1/health, /metrics, pino, problem+json,
// Jest with the shared preset, a starter e2e test). Kept in plain CommonJS so it needs no build step.
const path = require('node:path');
const { addProjectConfiguration, formatFiles, generateFiles, names } = require('@nx/devkit');

module.exports = async function serviceGenerator(tree, options) {
  const name = names(options.name).fileName;
  const root = `apps/${name}`;
  if (tree.exists(root)) throw new Error(`${root} already exists`);
  const scope = options.scope ?? name;
  addProjectConfiguration(tree, name, {
    root,
    sourceRoot: `${root}/src`,
    projectType: 'application',
    tags: ['type:app', `scope:${scope}`],
    targets: {
      serve: {
        executor: 'nx:run-commands',
        options: { command: `node -r ./tools/register.cjs ${root}/src/main.ts` },
      },
      lint: { executor: '@nx/eslint:lint' },
      test: { executor: '@nx/jest:jest', options: { jestConfig: `${root}/jest.config.cjs` } },
      typecheck: {
        executor: 'nx:run-commands',
        options: { command: `tsc -p ${root}/tsconfig.json --noEmit` },
      },
    },
  });
  const n = names(name);
  generateFiles(tree, path.join(__dirname, 'files'), root, {
    name,
    className: n.className,
    constantName: n.constantName,
    port: options.port ?? 8090,
    tmpl: '',
  });
  await formatFiles(tree);
  return () =>
    console.log(
      `Created ${root}. Add a scope:${scope} constraint to eslint.config.mjs if it is a new scope.`,
    );
};
