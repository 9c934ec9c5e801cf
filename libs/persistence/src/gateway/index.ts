export * from './gateway-identity.entity';
export * from './gateway-data-source.factory';
export * from './gateway-task-log.entity';
