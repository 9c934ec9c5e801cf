import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevPlatform } from './dev-platform.process';

/** GET on the dev gateway, over HTTPS (its own self-signed certificate) or HTTP, as its URL says. */
function gatewayGet(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    get(url, { rejectUnauthorized: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

/** `npm start` enrolls and runs one gateway beside the Primary (real child processes, real mTLS). */
describe('the dev platform (npm start) with its gateway', () => {
  let stateDir: string;
  let platform: DevPlatform;
  let password: string;
  let gatewayId: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'mv-dev-gateway-'));
    platform = new DevPlatform(stateDir);
    await platform.start();
    password = /Password\s+(\S+)/.exec(platform.banner('Password'))![1];
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function gateways(): Promise<{ id: string; name: string; status: string }[]> {
    const login = await fetch(`${platform.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@mazevault.local', password }),
    });
    const { token } = (await login.json()) as { token: string };
    const response = await fetch(`${platform.base}/api/v1/gateways`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { gateways: { id: string; name: string; status: string }[] }).gateways;
  }

  function gatewayBanner(): { url: string; id: string; how: string } {
    const match = /Gateway\s+(\S+)\s+\(id ([0-9a-f-]{36}); ([^)]+)\)/.exec(platform.banner('Gateway'));
    expect(match).not.toBeNull();
    return { url: match![1], id: match![2], how: match![3] };
  }

  it('enrolls one gateway through the admin API, starts it and prints where it listens', async () => {
    const banner = gatewayBanner();
    gatewayId = banner.id;
    expect(banner.how).toBe('enrolled now as gw-npr-primary');
    expect(await gatewayGet(`${banner.url}/`)).toEqual({ status: 200, body: { mode: 'gateway' } });
    // The gateway's log lines reach the platform's output through a pipe: they may trail the banner.
    for (const line of [
      'Starting MazeVault in gateway mode',
      'Registering gateway with primary...',
      'Setting up mTLS...',
      `Gateway registered successfully: ${gatewayId}`,
      'Heartbeat loop started (60s interval)',
    ])
      await platform.waitFor((output) => output.includes(line));
    expect(platform.lines.join('\n')).toContain(
      '"url":"/api/v1/gateways/bootstrap"},"res":{"statusCode":201}',
    );
    expect(await gateways()).toEqual([
      expect.objectContaining({ id: gatewayId, name: 'gw-npr-primary', status: 'active' }),
    ]);
  });

  it('on a restart reuses the identity stored in the gateway database: no second bootstrap', async () => {
    await platform.stop();
    platform = new DevPlatform(stateDir);
    await platform.start();
    const banner = gatewayBanner();
    expect(banner).toMatchObject({ id: gatewayId, how: 'stored identity, no new token' });
    expect(await gatewayGet(`${banner.url}/api/v1/health`)).toMatchObject({ status: 200 });
    await platform.waitFor((line) => line.includes(`Using stored gateway identity: ${gatewayId}`));
    await platform.waitFor((line) => line.includes('Heartbeat loop started'));
    const output = platform.lines.join('\n');
    expect(output).not.toContain('Registering gateway with primary...');
    expect(output).not.toContain('/api/v1/gateways/bootstrap');
    expect((await gateways()).map((gateway) => gateway.id)).toEqual([gatewayId]);
  }, 120_000);

  it('--no-gateway starts the Primary without one', async () => {
    await platform.stop();
    platform = new DevPlatform(stateDir, {}, ['--no-gateway']);
    await platform.start();
    expect(platform.banner('Gateway')).toContain('none: off');
    expect(platform.lines.join('\n')).not.toContain('"service":"gateway"');
  }, 120_000);

  it('without a stored identity nor the admin password, runs the Primary and says how to enroll a gateway', async () => {
    await platform.stop();
    expect(existsSync(join(stateDir, 'gateway-pgdata'))).toBe(true);
    rmSync(join(stateDir, 'gateway-pgdata'), { recursive: true, force: true });
    platform = new DevPlatform(stateDir);
    await platform.start();
    expect(platform.banner('Gateway')).toContain('none: its database holds no identity');
    expect(platform.banner('Gateway')).toContain('GATEWAY_BOOTSTRAP_TOKEN');
    expect((await fetch(`${platform.base}/api/v1/health/live`)).status).toBe(200);
  }, 120_000);
});
