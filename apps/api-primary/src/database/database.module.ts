import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [PRIMARY_CONFIG],
      useFactory: (config: PrimaryConfig) =>
        createPrimaryDataSource({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, preparedStatements: config.DATABASE_PREPARED_STATEMENTS }).initialize(),
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
