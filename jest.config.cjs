// `npm test` runs every project's unit (*.spec.ts), integration (*.int-spec.ts, real PostgreSQL/Redis)
// and end-to-end (*.e2e-spec.ts, real sockets) tests: each Nx project with a jest.config.cjs.
const fs = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs', 'tools']
  .flatMap((dir) => (fs.existsSync(path.join(__dirname, dir)) ? fs.readdirSync(path.join(__dirname, dir)) .map((p) => path.join(dir, p)) : []))
  .filter((p) => fs.existsSync(path.join(__dirname, p, 'jest.config.cjs')))
  .map((p) => `<rootDir>/${p}/jest.config.cjs`);

// testTimeout is a global option (ignored inside a project's config): a safety net for suites that
// start processes on a loaded 2-core machine, never a timing assertion.
module.exports = { projects, testTimeout: 30000 };
