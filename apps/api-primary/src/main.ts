import 'reflect-metadata';
import { ConfigValidationError, serviceHelp, wantsHelp } from '@mazevault/platform';
import { loadPrimaryConfig, PRIMARY_CONFIG_SHAPE, type PrimaryConfig } from './config/primary.config';
import { createPrimaryApp } from './primary.app';

/** Production entry point: config from the environment, migrations already applied by the deploy. */
async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(
      serviceHelp({
        command: 'node -r ./tools/register.cjs apps/api-primary/src/main.ts   (the image runs exactly this)',
        summary:
          'MazeVault Primary: the admin API on PORT and the gateway listener (mTLS) on GATEWAY_LISTEN_PORT.\nMigrations are applied beforehand: npm run migration:run. Locally, `npm start` runs everything.',
        shape: PRIMARY_CONFIG_SHAPE,
      }),
    );
    return;
  }
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
