// MazeVault OCSP responder (RFC 6960 / RFC 5019): a thin shell over libs/pki, PostgreSQL and Redis.
import { ConfigValidationError, serviceHelp, wantsHelp } from '@mazevault/platform';
import { loadOcspConfig, OCSP_CONFIG_SHAPE } from './config/ocsp.config';
import { createOcspResponderApp } from './ocsp-responder.app';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

async function main(): Promise<void> {
  if (wantsHelp()) {
    process.stdout.write(
      serviceHelp({
        command:
          'node -r ./tools/register.cjs apps/ocsp-responder/src/main.ts   (the image runs exactly this)',
        summary: 'MazeVault OCSP responder (RFC 6960 / RFC 5019): pre-signed answers over HTTP GET and POST.',
        shape: OCSP_CONFIG_SHAPE,
      }),
    );
    return;
  }
  const config = loadOcspConfig();
  const threshold = config.LOG_LEVEL === 'silent' ? Infinity : LEVELS.indexOf(config.LOG_LEVEL);
  const log = (level: 'info' | 'warn' | 'error', msg: string) => {
    if (LEVELS.indexOf(level) >= threshold)
      process.stderr.write(
        `${JSON.stringify({ level, time: Date.now(), service: 'ocsp-responder', msg })}\n`,
      );
  };
  // No input may take the process down; an unexpected fault is logged and the responder keeps serving.
  process.on('uncaughtException', (error) => log('error', `uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => log('error', `unhandled rejection: ${String(reason)}`));
  const app = await createOcspResponderApp(config, log);
  const port = await app.listen(config.PORT, config.HOST);
  log('info', `OCSP responder listening on ${config.HOST}:${port} for ${app.issuers.size} CA(s)`);
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
  const stop = () => void app.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigValidationError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
