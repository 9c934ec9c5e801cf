module.exports = { ...require('../../jest.preset.cjs'), displayName: 'ocsp-responder', rootDir: __dirname };
