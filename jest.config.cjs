// `npm test` runs every tier of every project: unit, int and e2e are Jest projects over apps/, libs/
// and tools/ (see jest.tiers.cjs), so `npx jest --selectProjects unit` runs alone without a database.
const fs = require('node:fs');
const path = require('node:path');
const { tierConfig } = require('./jest.tiers.cjs');

const roots = ['apps', 'libs', 'tools']
  .map((dir) => path.join(__dirname, dir))
  .filter((dir) => fs.existsSync(dir));

// Generator templates (tools/generators/*/files) are not tests of this repository.
module.exports = tierConfig(roots, { testPathIgnorePatterns: ['/tools/generators/[^/]+/files/'] });
