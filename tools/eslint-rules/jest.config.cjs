module.exports = { ...require('../../jest.preset.cjs'), displayName: 'eslint-rules', rootDir: __dirname };
