import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { createPrimaryDataSource, PlatformCaEntity } from '@mazevault/persistence';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadPrimaryConfig } from '../config/primary.config';
import { PlatformCaService } from './platform-ca.service';

/** Real PostgreSQL; nothing mocked: two "replicas" (services over separate pools) race on first start. */
describe('PlatformCaService', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('platform-ca');
    const ds = await createPrimaryDataSource({ url: database.url }).initialize();
    await ds.runMigrations({ transaction: 'each' });
    sources.push(ds);
  });

  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await database.drop();
  });

  it('creates exactly one platform CA when replicas start together, and every replica loads it', async () => {
    const masters = new MasterKeyRing(
      new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64') }),
    );
    const config = loadPrimaryConfig({
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----',
      MASTER_KEY: 'unused',
    });
    const replicas = await Promise.all(
      [0, 1, 2].map(async () => {
        const ds = await createPrimaryDataSource({ url: database.url }).initialize();
        sources.push(ds);
        return new PlatformCaService(ds, masters, config, { now: () => new Date() });
      }),
    );
    const loaded = await Promise.all(replicas.map((replica) => replica.get()));
    expect(new Set(loaded.map((ca) => ca.fingerprint)).size).toBe(1);
    expect(new Set(loaded.map((ca) => ca.server.certificatePem)).size).toBe(1);
    expect(await sources[0]!.getRepository(PlatformCaEntity).count()).toBe(1);
    // The sealed keys never sit in the row in clear.
    const row = await sources[0]!
      .getRepository(PlatformCaEntity)
      .findOneByOrFail({ purpose: 'gateway-mtls' });
    expect(row.sealedPrivateKey).not.toContain('PRIVATE KEY');
    expect(row.serverSealedPrivateKey).not.toContain('PRIVATE KEY');
  });
});
