export * from './data-source.factory';
export * from './entities';
export * from './migrations';
export * from './group-commit';
export * from './prepared-query';
export * from './typeorm-log.sink';
export * from './postgres-errors.util';
export * from './gateway';
