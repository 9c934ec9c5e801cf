import { type DynamicModule, Module } from '@nestjs/common';
import type { SecretStore } from '@mazevault/keyvault';
import { ConsoleInstanceAuthController, ConsoleInstancesController } from './console-instances.controller';
import { ConsoleInstancesService } from './console-instances.service';
import { CONSOLE_SECRET_STORE, consoleSecretStoreProvider } from './console-secret-store.provider';

@Module({})
export class ConsoleModule {
  /** `store` replaces the configured one (tests use the Key Vault test server through the real SDK). */
  static register(options: { store?: SecretStore } = {}): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleInstancesController, ConsoleInstanceAuthController],
      providers: [
        options.store
          ? { provide: CONSOLE_SECRET_STORE, useValue: options.store }
          : consoleSecretStoreProvider,
        ConsoleInstancesService,
      ],
      exports: [ConsoleInstancesService],
    };
  }
}
