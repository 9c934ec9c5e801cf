// Local ESLint plugin `mazevault`; each rule documents its rationale in <rule-name>.ts.
//
// ESLint loads plugins with plain `require`, and there is no build step for tooling, so the TypeScript
// rule sources are compiled on the fly with SWC. Unlike `tools/register.cjs` (which hooks every .js/.ts
// file of the process), the hook is scoped to this folder: the ESLint / Nx process that loads us must
// not have its own or other projects' files recompiled behind its back.
const path = require('node:path');
const { register } = require('@swc-node/register/register');
const { readDefaultTsConfig } = require('@swc-node/register/read-default-tsconfig');

register(readDefaultTsConfig(path.join(__dirname, '..', '..', 'tsconfig.base.json')), {
  exts: ['.ts'],
  matcher: (file) => file.startsWith(__dirname + path.sep),
});

const requireAuthGuard = require('./require-auth-guard.ts');

module.exports = {
  meta: { name: 'mazevault' },
  rules: { [requireAuthGuard.RULE_NAME]: requireAuthGuard.rule },
};
