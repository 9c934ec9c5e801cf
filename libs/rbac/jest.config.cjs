module.exports = { ...require('../../jest.preset.cjs'), displayName: 'rbac', rootDir: __dirname };
