module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dev-platform', rootDir: __dirname };
