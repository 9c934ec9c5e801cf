import 'reflect-metadata';
import { ConfigValidationError, createHttpApp, createServiceLogger } from '@mazevault/platform';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config/gateway.config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createServiceLogger({ level: config.LOG_LEVEL, service: 'gateway' });
  const app = await createHttpApp(AppModule.forLogger(logger), { title: 'MazeVault gateway', logger });
  await app.listen({ port: config.PORT, host: config.HOST });
}

void main();
