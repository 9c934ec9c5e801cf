import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { createGatewayDataSource } from '@mazevault/persistence';
import { createHttpApp } from '@mazevault/platform';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config/gateway.config';
import { HeartbeatLoop } from './heartbeat/heartbeat.loop';
import { CertificateRenewal } from './identity/certificate-renewal';
import { ensureIdentity } from './identity/enrollment';
import { GatewayIdentityStore } from './identity/gateway-identity.store';
import { PrimaryClient } from './primary/primary-client';

/**
 * The gateway: identity (stored, or enrolled with the bootstrap token), then the heartbeat loop, then
 * its HTTP app. Its schema is migrated beforehand (`npm run migration:run -- gateway`), like the Primary's.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<NestFastifyApplication> {
  logger.info('Starting MazeVault in gateway mode');
  const dataSource = await createGatewayDataSource({ url: config.DATABASE_URL }).initialize();
  try {
    const masters = new MasterKeyRing(
      new EnvMasterKeyProvider({ value: config.MASTER_KEY, variableName: 'MASTER_KEY' }),
    );
    const store = new GatewayIdentityStore(dataSource, masters);
    const identity = await ensureIdentity(config, store, logger);
    const primary = new PrimaryClient(config.PRIMARY_BACKEND_URL, config.PRIMARY_TIMEOUT_MS, identity);
    const heartbeat = new HeartbeatLoop(config, primary, logger);
    const renewal = new CertificateRenewal(primary, store, logger);
    const app = await createHttpApp(AppModule.forRuntime(logger, { dataSource, heartbeat, renewal }), {
      title: 'MazeVault gateway',
      version: config.MAZEVAULT_VERSION,
      logger,
    });
    app
      .getHttpAdapter()
      .getInstance()
      .get('/', async () => ({ mode: 'gateway' }));
    await app.listen({ port: config.PORT, host: config.HOST });
    logger.info(`gateway listening on http://${config.HOST}:${config.PORT}`);
    heartbeat.start();
    renewal.start();
    return app;
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}
