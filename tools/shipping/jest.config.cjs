// One project's tests, split into the unit/int/e2e tiers (see jest.tiers.cjs).
module.exports = require('../../jest.tiers.cjs').tierConfig([__dirname]);
