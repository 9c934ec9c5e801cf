import { GatewayListener } from '../src/gateways/gateway-listener';
import { enrollGateway, gatewayCall, type TestGateway } from './gateway-harness';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

/**
 * How much secret material one sealed poll answer carries (GATEWAY_SYNC_MAX_BYTES, small here): an
 * environment larger than that fails at once with a code that says why, instead of being leased and
 * retried until its attempts run out; syncs that do not fit beside others wait for the next poll.
 */
describe('gateway tasks: the size of a sync-secrets delivery', () => {
  const BUDGET = 4096;
  let primary: PrimaryTestApp;
  let base: string;
  let port: number;
  let admin: string;
  let gateway: TestGateway;
  let project: { id: string; environments: { id: string; slug: string }[] };
  const envId = (slug: string) => project.environments.find((e) => e.slug === slug)!.id;
  const api = (method: string, path: string, body?: unknown) =>
    call(base, method, path, { token: admin, ...(body !== undefined ? { body } : {}) });
  const sync = async (slug: string) =>
    (
      await api('POST', '/api/v1/gateways/tasks', {
        kind: 'sync-secrets',
        projectId: project.id,
        environmentId: envId(slug),
      })
    ).body as { id: string };
  const poll = async () =>
    (await gatewayCall(port, gateway, '/api/v1/gateway/tasks/poll', { max: 10, waitSeconds: 0 })).body as {
      tasks: { taskId: string; attempt: number; secrets?: unknown[] }[];
    };

  beforeAll(async () => {
    primary = await startPrimary('gateway-task-size', {
      GATEWAY_LISTEN_PORT: '0',
      GATEWAY_LISTEN_HOST: '127.0.0.1',
      GATEWAY_SYNC_MAX_BYTES: String(BUDGET),
    });
    base = primary.baseUrl;
    port = primary.app.get(GatewayListener).port!;
    admin = await login(base, primary.admin.email, primary.admin.password);
    project = (
      await api('POST', '/api/v1/projects', {
        slug: 'bulk',
        name: 'Bulk',
        environments: ['huge', 'half-a', 'half-b'],
      })
    ).body;
    for (const slug of ['huge', 'half-a', 'half-b'])
      await api('PATCH', `/api/v1/projects/bulk/environments/${slug}`, { gatewayEnvironment: 'NPR' });
    for (const [slug, path, size] of [
      ['huge', 'a', 1500],
      ['huge', 'b', 1500],
      ['huge', 'c', 1500],
      ['half-a', 'only', 3000],
      ['half-b', 'only', 3000],
    ] as const)
      expect(
        (
          await api('PUT', `/api/v1/projects/bulk/environments/${slug}/secrets/${path}`, {
            value: 'x'.repeat(size),
          })
        ).status,
      ).toBe(200);
    gateway = await enrollGateway(base, admin, port, { name: 'gw-size', environment: 'NPR' });
  });

  afterAll(() => primary?.close());

  it('fails a sync larger than GATEWAY_SYNC_MAX_BYTES at once with sync_payload_too_large', async () => {
    const task = await sync('huge');
    expect((await poll()).tasks).toEqual([]);
    expect((await api('GET', `/api/v1/gateways/tasks/${task.id}`)).body).toMatchObject({
      status: 'failed',
      errorCode: 'sync_payload_too_large',
    });
  });

  it('delivers syncs that do not fit in one answer over several polls, each as its first attempt', async () => {
    const a = await sync('half-a');
    const b = await sync('half-b');
    const first = (await poll()).tasks;
    expect(first.map((t) => t.taskId)).toEqual([a.id]);
    expect((await api('GET', `/api/v1/gateways/tasks/${b.id}`)).body).toMatchObject({
      status: 'queued',
      attempt: 0,
    });
    const second = (await poll()).tasks;
    expect(second).toMatchObject([{ taskId: b.id, attempt: 1, secrets: [expect.anything()] }]);
  });
});
