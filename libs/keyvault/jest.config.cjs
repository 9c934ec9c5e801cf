module.exports = { ...require('../../jest.preset.cjs'), displayName: 'keyvault', rootDir: __dirname };
