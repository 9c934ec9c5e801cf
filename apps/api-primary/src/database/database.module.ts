import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createPrimaryDataSource, type DatabaseLogSink } from '@mazevault/persistence';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  /** The DataSource, logging failed statements (never their parameters) through the service's logger. */
  static forLogger(logger: DatabaseLogSink): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [PRIMARY_CONFIG],
          useFactory: (config: PrimaryConfig) =>
            createPrimaryDataSource({
              url: config.DATABASE_URL,
              poolMax: config.DATABASE_POOL_MAX,
              preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
              logSink: logger,
            }).initialize(),
        },
      ],
      exports: [DataSource],
    };
  }

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
