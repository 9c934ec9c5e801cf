export * from './auth.contract';
export * from './identity.contract';
export * from './secrets.contract';
export * from './pki.contract';
export * from './console.contract';
export * from './text.schema';
export * from './queue.contract';
export * from './gateway.contract';
