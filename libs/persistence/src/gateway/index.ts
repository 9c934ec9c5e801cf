export * from './gateway-identity.entity';
export * from './gateway-data-source.factory';
