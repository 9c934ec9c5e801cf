import { WorkloadIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KeyVaultTestServer } from './key-vault-test-server';

const CLIENT_ID = '5a9c1f0e-33b4-4e0a-9d8e-2f3b6c7d8e9f';
/** What the AKS webhook projects into the pod: a service-account JWT (opaque to the client). */
const ASSERTION =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bWF6ZXZhdWx0OmdhdGV3YXkifQ.c2ln';

/**
 * The workload identity path of @azure/identity against the test server's token endpoint: the
 * client-assertion grant with the federated token file's content. In process through
 * WorkloadIdentityCredential, and — the production path, unchanged — through ManagedIdentityCredential
 * in a child process that has only the webhook's environment and trusts the server via NODE_EXTRA_CA_CERTS.
 */
describe('Key Vault test server: workload identity (client assertion) token endpoint', () => {
  let server: KeyVaultTestServer;
  let dir: string;
  let tokenFile: string;

  beforeAll(async () => {
    server = await KeyVaultTestServer.start({ federated: { clientId: CLIENT_ID, assertion: ASSERTION } });
    dir = mkdtempSync(join(tmpdir(), 'mv-wi-'));
    tokenFile = join(dir, 'azure-identity-token');
    writeFileSync(tokenFile, ASSERTION);
    writeFileSync(join(dir, 'ca.pem'), server.caPem);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const credential = (clientId: string, file: string) =>
    new WorkloadIdentityCredential({
      tenantId: server.tenantId,
      clientId,
      tokenFilePath: file,
      authorityHost: server.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: server.caPem },
    } as ConstructorParameters<typeof WorkloadIdentityCredential>[0]);

  it('issues a token the vault accepts for the federated assertion of the right client', async () => {
    const client = new SecretClient(server.url, credential(CLIENT_ID, tokenFile), {
      tlsOptions: { ca: server.caPem },
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    await client.setSecret('via-workload-identity', 'v1');
    expect((await client.getSecret('via-workload-identity')).value).toBe('v1');
    expect(server.tokenRequests.at(-1)).toEqual({
      clientId: CLIENT_ID,
      grant: 'client_assertion',
      granted: true,
    });
  });

  it('refuses another assertion, and the right assertion for another client', async () => {
    const wrongFile = join(dir, 'other-token');
    writeFileSync(wrongFile, `${ASSERTION}x`);
    await expect(
      credential(CLIENT_ID, wrongFile).getToken('https://vault.azure.net/.default'),
    ).rejects.toThrow(/AADSTS70021|invalid_client/);
    await expect(
      credential('00000000-0000-4000-8000-000000000000', tokenFile).getToken(
        'https://vault.azure.net/.default',
      ),
    ).rejects.toThrow(/AADSTS70021|invalid_client/);
    expect(server.tokenRequests.slice(-2).map((r) => r.granted)).toEqual([false, false]);
  });

  it('serves ManagedIdentityCredential unchanged in a process with the AKS webhook environment', async () => {
    const script = `
      const { ManagedIdentityCredential } = require('@azure/identity');
      const { SecretClient } = require('@azure/keyvault-secrets');
      const client = new SecretClient(process.env.VAULT_URL, new ManagedIdentityCredential({ clientId: process.env.CLIENT_ID }), {
        disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 },
      });
      client.setSecret('via-managed-identity', 'mi-1')
        .then(() => client.getSecret('via-managed-identity'))
        .then((s) => process.stdout.write(String(s.value)), (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..', '..', '..', '..'),
      env: {
        PATH: process.env['PATH'],
        VAULT_URL: server.url,
        CLIENT_ID,
        AZURE_TENANT_ID: server.tenantId,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_AUTHORITY_HOST: server.url,
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      },
      timeout: 30_000,
    });
    expect(stdout).toBe('mi-1');
    expect(server.peek('via-managed-identity')?.value).toBe('mi-1');
    expect(server.tokenRequests.at(-1)).toEqual({
      clientId: CLIENT_ID,
      grant: 'client_assertion',
      granted: true,
    });
  });
});
