// The three test tiers, one Jest project each, so each runs alone (`jest --selectProjects unit`):
//   unit  `*.spec.ts`      no I/O: no database, Redis, network, sockets, child processes or files
//   int   `*.int-spec.ts`  real PostgreSQL/Redis, one module at a time, or a real external program
//                          (openssl, a second Node process) checking what we produce
//   e2e   `*.e2e-spec.ts`  the real HTTP app in process or as child processes, on real sockets
const preset = require('./jest.preset.cjs');

const TIERS = { unit: '*.spec.ts', int: '*.int-spec.ts', e2e: '*.e2e-spec.ts' };

/**
 * A Jest config whose projects are the tiers, over `roots` (absolute paths). testTimeout is a global
 * option (ignored inside a project): a safety net for suites that start processes on a loaded 2-core
 * machine, never a timing assertion.
 */
function tierConfig(roots, { testPathIgnorePatterns = [] } = {}) {
  const projects = Object.entries(TIERS).map(([tier, pattern]) => ({
    ...preset,
    displayName: tier,
    rootDir: roots[0],
    roots,
    testMatch: [`**/${pattern}`],
    testPathIgnorePatterns: ['/node_modules/', ...testPathIgnorePatterns],
  }));
  return { projects, testTimeout: preset.testTimeout };
}

module.exports = { tierConfig };
