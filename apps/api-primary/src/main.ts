import 'reflect-metadata';
import { ConfigValidationError } from '@mazevault/platform';
import { loadPrimaryConfig, type PrimaryConfig } from './config/primary.config';
import { createPrimaryApp } from './primary.app';

/** Production entry point: config from the environment, migrations already applied by the deploy. */
async function main(): Promise<void> {
  let config: PrimaryConfig;
  try {
    config = loadPrimaryConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createPrimaryApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `api-primary failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
