import 'reflect-metadata';
import { ConfigValidationError, createServiceLogger, serviceHelp, wantsHelp } from '@mazevault/platform';
import { GATEWAY_CONFIG_SHAPE, type GatewayConfig, loadGatewayConfig } from './config/gateway.config';
import { startGateway } from './gateway.app';
import { EnrollmentError } from './identity/enrollment';

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(
      serviceHelp({
        command: 'node -r ./tools/register.cjs apps/gateway/src/main.ts   (the image runs exactly this)',
        summary:
          'MazeVault gateway: enrolls with the Primary (GATEWAY_BOOTSTRAP_TOKEN, once), then heartbeats, polls and\nruns tasks over mTLS + E2EE, and serves /api/v1/health and /metrics over HTTPS on PORT.',
        shape: GATEWAY_CONFIG_SHAPE,
      }),
    );
    return;
  }
  let config: GatewayConfig;
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
  try {
    await startGateway(config, logger);
  } catch (error) {
    if (error instanceof EnrollmentError) {
      logger.error(error.message);
      logger.flush();
      process.exit(78);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
