// Runs TypeScript sources directly (SWC, with decorator metadata and the @mazevault/* path aliases
// of tsconfig.base.json). Used by `npm start`, the CLIs and the benchmarks: `node -r ./tools/register.cjs x.ts`.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
