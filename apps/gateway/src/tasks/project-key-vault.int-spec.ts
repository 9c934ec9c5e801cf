import { encodeKeyVaultName } from '@mazevault/keyvault';
import { KeyVaultTestServer } from '@mazevault/testing';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CLIENT_ID = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const ASSERTION = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bXYifQ.c2ln';

/**
 * The gateway's Key Vault access exactly as it runs in AKS: a Node process with only the gateway's
 * variables and the workload identity webhook's (AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID,
 * AZURE_AUTHORITY_HOST), trusting the test server through NODE_EXTRA_CA_CERTS — no test credential.
 */
describe('Project Key Vault with the gateway Managed Identity (child process)', () => {
  let server: KeyVaultTestServer;
  let dir: string;

  beforeAll(async () => {
    server = await KeyVaultTestServer.start({ federated: { clientId: CLIENT_ID, assertion: ASSERTION } });
    dir = mkdtempSync(join(tmpdir(), 'mv-gw-mi-'));
    writeFileSync(join(dir, 'token'), ASSERTION);
    writeFileSync(join(dir, 'ca.pem'), server.caPem);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const probe = (env: Record<string, string>) =>
    promisify(execFile)(
      process.execPath,
      ['-r', './tools/register.cjs', 'apps/gateway/test/fixtures/project-key-vault.probe.ts'],
      {
        cwd: join(__dirname, '..', '..', '..', '..'),
        timeout: 60_000,
        env: {
          PATH: process.env['PATH'],
          PRIMARY_BACKEND_URL: 'https://127.0.0.1:8443',
          DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
          MASTER_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
          MAZEVAULT_PROJECT_KEYVAULT_URL: server.url,
          MAZEVAULT_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
          AZURE_TENANT_ID: server.tenantId,
          AZURE_FEDERATED_TOKEN_FILE: join(dir, 'token'),
          AZURE_AUTHORITY_HOST: server.url,
          NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
          PROBE_VALUE: 'probe-value-1',
          ...env,
        },
      },
    );

  it('syncs with a token from the federated assertion, writing once and then finding it unchanged', async () => {
    const { stdout } = await probe({ AZURE_MANAGED_IDENTITY_CLIENT_ID: CLIENT_ID });
    expect(JSON.parse(stdout)).toEqual({
      first: { written: 1, unchanged: 0 },
      second: { written: 0, unchanged: 1 },
    });
    expect(server.peek(encodeKeyVaultName('probe/db-password'))?.value).toBe('probe-value-1');
    expect(server.tokenRequests.at(-1)).toEqual({
      clientId: CLIENT_ID,
      grant: 'client_assertion',
      granted: true,
    });
  });

  it('gets no token for another Managed Identity', async () => {
    await expect(
      probe({ AZURE_MANAGED_IDENTITY_CLIENT_ID: '00000000-0000-4000-8000-000000000001' }),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/^AuthenticationError: .*no access token/) });
  });
});
