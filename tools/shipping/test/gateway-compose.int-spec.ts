import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The `gateway` profile of docker/compose.yaml, parsed (YAML merge keys resolved as Compose does).
 * `docker-compose config` (v1.29) was run on it by hand; no Compose is needed here.
 */
const REPO = join(__dirname, '..', '..', '..');
const text = readFileSync(join(REPO, 'docker', 'compose.yaml'), 'utf8');
interface Service {
  profiles?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  ports?: string[];
  command?: string[];
  build?: { dockerfile: string };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
}
const { services } = parse(text, { merge: true }) as { services: Record<string, Service> };
const gatewayServices = Object.entries(services).filter(([, service]) =>
  service.profiles?.includes('gateway'),
);

describe('docker/compose.yaml, profile `gateway`', () => {
  it('runs the gateway from its own image with the seed variables, its own database and Redis index', () => {
    const gateway = services.gateway;
    expect(gateway.profiles).toEqual(['gateway']);
    expect(gateway.build?.dockerfile).toBe('docker/gateway.Dockerfile');
    expect(gateway.environment).toMatchObject({
      MAZEVAULT_MODE: 'gateway',
      PRIMARY_BACKEND_URL: 'https://api-primary:8443',
      DATABASE_URL: expect.stringMatching(/@postgres:5432\/mazevault_gateway$/),
      REDIS_URL: expect.stringMatching(/@redis:6379\/1$/),
      MASTER_KEY: expect.stringContaining('GATEWAY_MASTER_KEY'),
    });
    for (const name of [
      'GATEWAY_BOOTSTRAP_TOKEN',
      'MAZEVAULT_GATEWAY_ENVIRONMENT',
      'MAZEVAULT_GATEWAY_ROLE',
      'MAZEVAULT_VERSION',
      'AZURE_MANAGED_IDENTITY_CLIENT_ID',
    ])
      expect(Object.keys(gateway.environment ?? {})).toContain(name);
    // Never the Primary's .env (its JWT key, its master key).
    expect(gateway.env_file).toBeUndefined();
    expect(gateway).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
    expect(gateway.depends_on).toMatchObject({
      'gateway-migrate': { condition: 'service_completed_successfully' },
      'api-primary': { condition: 'service_healthy' },
    });
  });

  it('publishes the gateway on a host port other than 8443, the Primary listener port', () => {
    expect(services.gateway.ports).toHaveLength(1);
    const [published, target] = services.gateway.ports![0].split(/:(?=\d+$)/);
    expect(target).toBe('8443');
    expect(published).toBe('${GATEWAY_HTTPS_PORT:-8444}');
  });

  it('migrates the gateway schema in a one-shot service of the same image', () => {
    expect(services['gateway-migrate']).toMatchObject({
      profiles: ['gateway'],
      build: { dockerfile: 'docker/gateway.Dockerfile' },
      command: ['libs/persistence/src/cli/migrate.cli.ts', 'run', 'gateway'],
    });
  });

  it('requires no variable in a profile service (Compose interpolates every service before profiles apply)', () => {
    expect(gatewayServices.map(([name]) => name).sort()).toEqual([
      'gateway',
      'gateway-db',
      'gateway-migrate',
    ]);
    for (const [name, service] of gatewayServices) {
      const required = JSON.stringify(service).match(/\$\{[A-Z_]+:?\?[^}]*\}/g) ?? [];
      expect({ name, required }).toEqual({ name, required: [] });
    }
    // The check finds one.
    expect(JSON.stringify({ a: '${X:?set X}' }).match(/\$\{[A-Z_]+:?\?[^}]*\}/g)).toHaveLength(1);
  });

  it("tells the Primary's listener certificate to name api-primary", () => {
    expect(services['api-primary'].environment?.GATEWAY_SERVER_NAMES).toContain('api-primary');
  });
});
