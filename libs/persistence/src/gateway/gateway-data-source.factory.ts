import { DataSource } from 'typeorm';
import { ParameterFreeTypeormLogger } from '../typeorm-log.sink';
import { CreateGatewayIdentity1765200000001 } from './1765200000001-CreateGatewayIdentity';
import { GatewayIdentityBootstrapToken1765260000001 } from './1765260000001-GatewayIdentityBootstrapToken';
import { CreateGatewayTaskLog1765300000001 } from './1765300000001-CreateGatewayTaskLog';
import { GatewayIdentityE2ee1765300000401 } from './1765300000401-GatewayIdentityE2ee';
import { GatewayIdentityEntity } from './gateway-identity.entity';
import { GatewayTaskLogEntity } from './gateway-task-log.entity';

export const GATEWAY_ENTITIES = [GatewayIdentityEntity, GatewayTaskLogEntity];
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
export const GATEWAY_MIGRATIONS: Function[] = [
  CreateGatewayIdentity1765200000001,
  GatewayIdentityBootstrapToken1765260000001,
  CreateGatewayTaskLog1765300000001,
  GatewayIdentityE2ee1765300000401,
];

/** The gateway's own PostgreSQL (not the Primary's); its own migrations table. */
export function createGatewayDataSource(options: { url: string; poolMax?: number }): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: GATEWAY_ENTITIES,
    migrations: GATEWAY_MIGRATIONS,
    migrationsTableName: 'gateway_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn', 'migration'],
    logger: new ParameterFreeTypeormLogger(),
    extra: { max: options.poolMax ?? 5, connectionTimeoutMillis: 5000 },
  });
}
