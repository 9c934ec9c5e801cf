export * from './key-vault-test-server';
export * from './secret-store-contract';
export * from './static-token.credential';
export * from './test-certificate-authority';
export * from './test-secret-client';
