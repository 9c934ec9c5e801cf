// `npm test` runs every project's unit (*.spec.ts), integration (*.int-spec.ts, real PostgreSQL/Redis)
// and end-to-end (*.e2e-spec.ts, real sockets) tests.
module.exports = {
  projects: ['<rootDir>/apps/*/jest.config.cjs', '<rootDir>/libs/*/jest.config.cjs', '<rootDir>/tools/*/jest.config.cjs'],
};
