import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { type Clock, PlatformModule } from '@mazevault/platform';
import type { SecretStore } from '@mazevault/keyvault';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuditModule } from './audit/audit.module';
import { CacheModule } from './cache/cache.module';
import { ConsoleModule } from './console/console.module';
import { PRIMARY_CONFIG, type PrimaryConfig } from './config/primary.config';
import { DatabaseModule } from './database/database.module';
import { GatewaysModule } from './gateways/gateways.module';
import { IdentityModule } from './identity/identity.module';
import { RequestGuardsModule } from './identity/request-guards.module';
import { KeysModule } from './keys/keys.module';
import { PkiModule } from './pki/pki.module';
import { ProjectsModule } from './projects/projects.module';
import { PolicyModule } from './rbac/policy.module';
import { REDIS, RedisModule } from './redis/redis.module';
import { SecretsModule } from './secrets/secrets.module';

/** Replacements for external services, for tests (everything else is configured). */
export interface PrimaryAppOptions {
  store?: SecretStore;
  /** The time every service reads (default the system clock): tests move it instead of sleeping. */
  clock?: Clock;
  /** After a SIGTERM/SIGINT has drained and closed the app (default: re-raise the signal). */
  afterShutdown?: (signal: NodeJS.Signals) => Promise<void> | void;
}

/** The Primary, built from an already-validated config (main.ts, the dev platform and tests pass it). */
@Module({})
export class AppModule {
  static forConfig(config: PrimaryConfig, logger: Logger, options: PrimaryAppOptions = {}): DynamicModule {
    const configModule: DynamicModule = {
      module: class PrimaryConfigModule {},
      global: true,
      providers: [{ provide: PRIMARY_CONFIG, useValue: config }],
      exports: [PRIMARY_CONFIG],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        DatabaseModule.forLogger(logger),
        RedisModule,
        PlatformModule.forRoot({
          service: 'api-primary',
          logger,
          ...(options.clock && { clock: options.clock }),
          healthChecks: {
            inject: [DataSource, REDIS],
            useFactory: (dataSource: DataSource, redis: Redis) => [
              { name: 'postgres', check: () => dataSource.query('SELECT 1') },
              { name: 'redis', check: () => redis.ping() },
            ],
          },
        }),
        CacheModule,
        PolicyModule,
        KeysModule,
        AuditModule,
        IdentityModule,
        ProjectsModule,
        RequestGuardsModule,
        SecretsModule,
        ConsoleModule.register(options),
        PkiModule,
        GatewaysModule,
        ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: config.AUTH_RATE_LIMIT_PER_MINUTE }]),
      ],
    };
  }
}
