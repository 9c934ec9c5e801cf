import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@mazevault/platform';
import type { Logger } from 'pino';

@Module({})
export class AppModule {
  static forLogger(logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'gateway',
          logger,
          // Add readiness checks of this service's dependencies (PostgreSQL, Redis, ...).
          healthChecks: { inject: [], useFactory: () => [] },
        }),
      ],
    };
  }
}
