module.exports = { ...require('../../jest.preset.cjs'), displayName: 'api-primary', rootDir: __dirname };
