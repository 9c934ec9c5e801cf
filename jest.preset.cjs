// Shared Jest settings: SWC transform (decorator metadata for NestJS) and the @mazevault/* aliases.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;

// Packages that ship ESM only. Node >= 20.19 loads them natively (require(esm)); Jest cannot, so SWC
// compiles them to CommonJS like our own sources.
const ESM_ONLY_PACKAGES = [
  'jose',
  '@fastify/static',
  '@fastify/send',
  'content-disposition',
  'glob',
  'minimatch',
  'path-scurry',
  'lru-cache',
  'minipass',
  'jackspeak',
  'package-json-from-dist',
  'pkijs',
  'asn1js',
  '@peculiar/utils',
  '@noble/hashes',
  'bytestreamjs',
  'pvtsutils',
  'pvutils',
].map((name) => name.replace('/', '\\/'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, path.join(root, target)]),
);

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    // .js too: ESM-only packages (jose) are compiled to CommonJS for Jest, which cannot require(esm).
    '^.+\\.(ts|js|mjs)$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec).ts'],
  testTimeout: 30000, // read by jest.tiers.cjs as the global timeout
};
