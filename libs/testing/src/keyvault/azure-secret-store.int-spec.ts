import type { Tracer } from '@opentelemetry/api';
import {
  AuthenticationError,
  AzureSecretStore,
  OperationError,
  SecretNotFoundError,
  TimeoutError,
  type ResilienceConfig,
} from '@mazevault/keyvault';
import { Registry } from 'prom-client';
import { KeyVaultTestServer } from './key-vault-test-server';
import { describeSecretStoreContract } from './secret-store-contract';
import { createTestSecretClient } from './test-secret-client';

/**
 * The azure strategy against the real @azure/keyvault-secrets SDK talking HTTPS to KeyVaultTestServer.
 * (These live in libs/testing rather than libs/keyvault because the workspace's module boundaries let
 * `type:testing` depend on `type:infra`, not the reverse.)
 */
let server: KeyVaultTestServer;
beforeAll(async () => {
  server = await KeyVaultTestServer.start({ pageSize: 3 });
});
afterAll(() => server.stop());

const FAST: ResilienceConfig = { backoff_initial_ms: 10, backoff_max_ms: 50 };
function storeFor(
  resilience: ResilienceConfig = FAST,
  extra: Partial<ConstructorParameters<typeof AzureSecretStore>[0]> = {},
) {
  return new AzureSecretStore({ client: createTestSecretClient(server), resilience, ...extra });
}

describeSecretStoreContract('azure (Key Vault test server, real SDK)', { createStore: () => storeFor() });

interface RecordedSpan {
  name: string;
  attributes: Record<string, unknown>;
  status?: { code: number };
  ended: boolean;
}

function recordingTracer(): { tracer: Tracer; spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const tracer = {
    startSpan(name: string, options?: { attributes?: Record<string, unknown> }) {
      const span: RecordedSpan = { name, attributes: { ...options?.attributes }, ended: false };
      spans.push(span);
      const api = {
        setAttribute: (k: string, v: unknown) => ((span.attributes[k] = v), api),
        setAttributes: (a: Record<string, unknown>) => (Object.assign(span.attributes, a), api),
        setStatus: (s: { code: number }) => ((span.status = s), api),
        recordException: () => undefined,
        end: () => void (span.ended = true),
        isRecording: () => true,
        spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }),
        updateName: () => api,
        addEvent: () => api,
        addLink: () => api,
        addLinks: () => api,
      };
      return api;
    },
  };
  return { tracer: tracer as unknown as Tracer, spans };
}

describe('azure strategy: resilience, errors and telemetry', () => {
  beforeEach(() => server.reset());

  it('retries a 429 after the Retry-After delay', async () => {
    const store = storeFor();
    await store.createCredentials('hot/key', { a: 1 });
    server.failNext({ status: 429, retryAfterSeconds: 1, path: '/secrets/hot--key', method: 'GET' });
    // The delay the retry is scheduled with, not a stopwatch: the backoff would choose far less.
    const timers = jest.spyOn(globalThis, 'setTimeout');
    try {
      expect(await store.getCredentials('hot/key')).toEqual({ a: 1 });
      expect(timers.mock.calls.map(([, ms]) => ms)).toContain(1000);
    } finally {
      timers.mockRestore();
    }
    expect(server.apiRequests({ method: 'GET', path: '/secrets/hot--key' }).map((r) => r.status)).toEqual([
      429, 200,
    ]);
  });

  it('retries 5xx with backoff up to max_retries, then fails with OperationError keeping the status', async () => {
    const store = storeFor({ ...FAST, max_retries: 2 });
    await store.createCredentials('flaky', 'v');
    server.failNext({ status: 503, times: 5, path: '/secrets/flaky', method: 'GET' });
    const error = await store.getCredentials('flaky').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error).toMatchObject({ providerStatus: 503, operation: 'get_secret', secretName: 'flaky' });
    expect(server.apiRequests({ method: 'GET', path: '/secrets/flaky' })).toHaveLength(3);
  });

  it('maps 403 to AuthenticationError without retrying, and counts it', async () => {
    const registry = new Registry();
    const store = storeFor(FAST, { telemetry: { registry } });
    await store.createCredentials('locked', 'v');
    server.failNext({ status: 403, times: 10, path: '/secrets/locked', method: 'GET' });
    const error = await store.getCredentials('locked').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ providerStatus: 403, providerCode: 'ForbiddenByRbac' });
    expect(server.apiRequests({ method: 'GET', path: '/secrets/locked' })).toHaveLength(1);
    const forbidden = await registry.getSingleMetric('mazevault_secret_store_forbidden_total')!.get();
    expect(forbidden.values).toEqual([{ labels: { provider: 'azure', operation: 'get_secret' }, value: 1 }]);
  });

  it('opens the breaker after 5 consecutive failures, then half-opens after the reset timeout', async () => {
    const store = storeFor({ ...FAST, max_retries: 0, cb_failure_threshold: 5, cb_reset_timeout_s: 0.3 });
    await store.createCredentials('down', 'v');
    server.failNext({ status: 500, times: 5, path: '/secrets/down', method: 'GET' });
    for (let i = 0; i < 5; i++)
      await expect(store.getCredentials('down')).rejects.toBeInstanceOf(OperationError);
    expect(store.circuitState).toBe('open');

    const open = await store.getCredentials('down').catch((e: unknown) => e);
    expect(open).toBeInstanceOf(TimeoutError);
    expect((open as TimeoutError).circuitOpen).toBe(true);
    expect(server.apiRequests({ method: 'GET', path: '/secrets/down' })).toHaveLength(5);

    // Polls until the breaker lets a call through (after cb_reset_timeout_s) instead of sleeping past it.
    let result: unknown;
    do {
      await new Promise((r) => setImmediate(r));
      result = await store.getCredentials('down').catch((e: unknown) => e);
    } while (result instanceof TimeoutError && result.circuitOpen);
    expect(result).toEqual({ value: 'v' });
    expect(store.circuitState).toBe('closed');
    expect(server.apiRequests({ method: 'GET', path: '/secrets/down' })).toHaveLength(6);
  });

  it('does not let 404s or 403s open the breaker', async () => {
    const store = storeFor({ ...FAST, max_retries: 0, cb_failure_threshold: 2 });
    for (let i = 0; i < 4; i++)
      await expect(store.getCredentials('missing')).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(store.circuitState).toBe('closed');
  });

  it('times out a hung call (TimeoutError)', async () => {
    const store = storeFor({ ...FAST, max_retries: 0, timeout_s: 0.2 });
    await store.createCredentials('slow', 'v');
    // Stalled far past the deadline: only the timeout can end the call with a TimeoutError (the
    // stalled answer would be a success).
    server.stallNext({ ms: 1000, path: '/secrets/slow', method: 'GET' });
    const error = await store.getCredentials('slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).circuitOpen).toBeFalsy();
  });

  it('reports a soft-deleted name as a 409 OperationError with the provider code', async () => {
    const store = storeFor();
    await store.createCredentials('reused', 'v');
    await store.deleteCredentials('reused');
    const error = await store.createCredentials('reused', 'again').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error).toMatchObject({ providerStatus: 409, providerCode: 'ObjectIsDeletedButRecoverable' });
    expect((error as Error).message).not.toContain('again');
  });

  it('emits one span per operation with name/version attributes, and outcome metrics', async () => {
    const { tracer, spans } = recordingTracer();
    const registry = new Registry();
    const store = storeFor(FAST, { telemetry: { tracer, registry } });
    const { version } = await store.createCredentials('app/db', { u: 'x' });
    await store.getCredentials(`app/db?version=${version}`);
    await store.getCredentials('app/db');
    await store.updateCredentials('app/db', { u: 'y' });
    await store.readSecretMetadata('app/db');
    await store.updateCustomMetadata('app/db', { k: 'v' }, true);
    await store.listCredentials();
    await store.deleteCredentials('app/db');
    await store.getCredentials('app/db').catch(() => undefined);

    expect(spans.map((s) => s.name)).toEqual([
      'azure.create_secret',
      'azure.get_secret',
      'azure.get_secret',
      'azure.update_secret',
      'azure.read_secret_metadata',
      'azure.update_custom_metadata',
      'azure.list_secrets',
      'azure.delete_secret',
      'azure.get_secret',
    ]);
    expect(spans[1].attributes).toMatchObject({ 'secret.name': 'app/db', 'secret.version': version });
    expect(spans[2].attributes).toMatchObject({ 'secret.name': 'app/db', 'secret.version': 'latest' });
    expect(spans.at(-1)!.attributes).toMatchObject({ 'secret.outcome': 'not_found' });
    expect(spans.every((s) => s.ended)).toBe(true);
    expect(JSON.stringify(spans)).not.toMatch(/"u":|"y"/);

    const ops = await registry.getSingleMetric('mazevault_secret_store_operations_total')!.get();
    const get = (operation: string, outcome: string) =>
      ops.values.find((v) => v.labels['operation'] === operation && v.labels['outcome'] === outcome)?.value;
    expect(get('get_secret', 'success')).toBe(2);
    expect(get('get_secret', 'not_found')).toBe(1);
    expect(get('list_secrets', 'success')).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('mazevault_secret_store_operation_duration_seconds_bucket');
  });

  it('stores JSON with content type application/json and custom metadata as tags', async () => {
    const store = storeFor();
    await store.createCredentials('App/Config', { a: 1 }, { custom: { owner: 'me' } });
    expect(server.names()).toEqual(['-uapp---uconfig']);
    expect(server.peek('-uapp---uconfig')).toEqual({
      value: '{"a":1}',
      contentType: 'application/json',
      tags: { owner: 'me' },
    });
  });
});
