import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { PlatformModule } from '@mazevault/platform';
import { defaultPolicyDecisionPoint, PolicyDecisionPoint, PolicyGuard } from '@mazevault/rbac';
import type { SecretStore } from '@mazevault/keyvault';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ApiTokensController } from './api-tokens/api-tokens.controller';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { RoleBindingsService } from './role-bindings/role-bindings.service';
import { AuditController } from './audit/audit.controller';
import { AuditSpecGuard } from './audit/audit-spec.guard';
import { AuditModule } from './audit/audit.module';
import { CacheModule } from './cache/cache.module';
import { ConsoleModule } from './console/console.module';
import { AccountController } from './auth/account.controller';
import { AccountService } from './auth/account.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { JwtService } from './auth/jwt.service';
import { LoginLockoutService } from './auth/login-lockout.service';
import { PrincipalService } from './auth/principal.service';
import { PRIMARY_CONFIG, type PrimaryConfig } from './config/primary.config';
import { DatabaseModule } from './database/database.module';
import { OrganizationsController } from './organizations/organizations.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { BuiltinRolesSync } from './rbac/builtin-roles.sync';
import { RoleBindingsController } from './role-bindings/role-bindings.controller';
import { ScopeResolutionGuard } from './projects/scope-resolution.guard';
import { REDIS, RedisModule } from './redis/redis.module';
import { SecretsModule } from './secrets/secrets.module';
import { PkiModule } from './pki/pki.module';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** Replacements for external services, for tests (everything else is configured). */
export interface PrimaryAppOptions {
  store?: SecretStore;
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
          healthChecks: {
            inject: [DataSource, REDIS],
            useFactory: (dataSource: DataSource, redis: Redis) => [
              { name: 'postgres', check: () => dataSource.query('SELECT 1') },
              { name: 'redis', check: () => redis.ping() },
            ],
          },
        }),
        CacheModule,
        AuditModule,
        SecretsModule,
        ConsoleModule.register(options),
        PkiModule,
        ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: config.AUTH_RATE_LIMIT_PER_MINUTE }]),
      ],
      controllers: [AuthController, AccountController, UsersController, OrganizationsController, RoleBindingsController, ApiTokensController, AuditController],
      providers: [
        { provide: PolicyDecisionPoint, useValue: defaultPolicyDecisionPoint },
        // Order matters: authenticate, resolve project/environment names to ids, then authorize. Both are global so nothing is open by omission.
        { provide: APP_GUARD, useClass: AuditSpecGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: ScopeResolutionGuard },
        { provide: APP_GUARD, useClass: PolicyGuard },
        JwtService,
        LoginLockoutService,
        AuthService,
        AccountService,
        PrincipalService,
        UsersService,
        OrganizationsService,
        ApiTokensService,
        RoleBindingsService,
        BuiltinRolesSync,
      ],
    };
  }
}
