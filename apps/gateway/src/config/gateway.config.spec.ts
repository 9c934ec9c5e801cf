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
});
