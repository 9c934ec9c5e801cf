export * from './test-database';
export * from './keyvault';
