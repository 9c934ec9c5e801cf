import { createGatewayDataSource } from '@mazevault/persistence';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const BASE = {
  PRIMARY_BACKEND_URL: 'https://127.0.0.1:8443',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
  MASTER_KEY: randomBytes(32).toString('base64'),
};

describe('gateway process without an identity or a token', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('gateway-no-token');
    const ds = await createGatewayDataSource({ url: db.url }).initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
  });

  afterAll(() => db?.drop());

  it('exits with EX_CONFIG and one clear line', async () => {
    let output = '';
    const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/gateway/src/main.ts'], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { PATH: process.env.PATH, ...BASE, DATABASE_URL: db.url, PORT: '0' },
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(78);
    expect(output).toContain('No stored gateway identity and no GATEWAY_BOOTSTRAP_TOKEN');
  });
});
