import { ConfigValidationError } from '@mazevault/platform';
import { loadGatewayConfig } from './gateway.config';

const BASE = {
  PRIMARY_BACKEND_URL: 'https://127.0.0.1:8443',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
  MASTER_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
};

describe('gateway configuration', () => {
  it('defaults to the seed (gateway mode, 60 s heartbeats, NPR/primary) and refuses what it cannot use', () => {
    expect(loadGatewayConfig(BASE)).toMatchObject({
      MAZEVAULT_MODE: 'gateway',
      GATEWAY_HEARTBEAT_INTERVAL_SECONDS: 60,
      MAZEVAULT_GATEWAY_ENVIRONMENT: 'NPR',
      MAZEVAULT_GATEWAY_ROLE: 'primary',
      PORT: 8443,
    });
    expect(() => loadGatewayConfig({ ...BASE, PRIMARY_BACKEND_URL: 'http://127.0.0.1:8443' })).toThrow(
      ConfigValidationError,
    );
    expect(() => loadGatewayConfig({ ...BASE, MAZEVAULT_MODE: 'primary' })).toThrow(ConfigValidationError);
    expect(() => loadGatewayConfig({ ...BASE, MAZEVAULT_GATEWAY_ENVIRONMENT: 'DEV' })).toThrow(
      ConfigValidationError,
    );
    expect(() => loadGatewayConfig({ ...BASE, GATEWAY_BOOTSTRAP_TOKEN: 'not-a-token' })).toThrow(
      ConfigValidationError,
    );
  });

  it('reads the runtime settings: HTTPS files together, Redis and the Project Key Vault URLs by scheme', () => {
    expect(loadGatewayConfig(BASE)).toMatchObject({
      GATEWAY_TASK_POLL_WAIT_SECONDS: 20,
      PRIMARY_CIRCUIT_RESET_SECONDS: 30,
      MAZEVAULT_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: false,
    });
    expect(
      loadGatewayConfig({
        ...BASE,
        TLS_CERT_FILE: '/tls/tls.crt',
        TLS_KEY_FILE: '/tls/tls.key',
        REDIS_URL: 'rediss://cache.example:6380',
        MAZEVAULT_PROJECT_KEYVAULT_URL: 'https://crdprointmzvgwckv02.vault.azure.net/',
        AZURE_MANAGED_IDENTITY_CLIENT_ID: '5a9c1f0e-33b4-4e0a-9d8e-2f3b6c7d8e9f',
      }),
    ).toMatchObject({ TLS_CERT_FILE: '/tls/tls.crt', REDIS_URL: 'rediss://cache.example:6380' });
    expect(() => loadGatewayConfig({ ...BASE, TLS_CERT_FILE: '/tls/tls.crt' })).toThrow(
      ConfigValidationError,
    );
    expect(() => loadGatewayConfig({ ...BASE, REDIS_URL: 'http://cache:6379' })).toThrow(
      ConfigValidationError,
    );
    expect(() =>
      loadGatewayConfig({ ...BASE, MAZEVAULT_PROJECT_KEYVAULT_URL: 'http://kv.vault.azure.net' }),
    ).toThrow(ConfigValidationError);
  });
});
