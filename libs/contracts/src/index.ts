export * from './auth.contract';
export * from './identity.contract';
