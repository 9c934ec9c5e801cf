import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyVaultTestServer } from './key-vault-test-server';

/**
 * The production credential path end to end: @azure/identity's ClientSecretCredential (msal-node)
 * gets its token from the test server's Entra-style token endpoint, and the real SecretClient uses it.
 */
describe('Key Vault test server: client-credentials token endpoint', () => {
  let server: KeyVaultTestServer;
  beforeAll(async () => {
    server = await KeyVaultTestServer.start();
  });
  afterAll(() => server.stop());

  const credential = (secret: string) =>
    new ClientSecretCredential(server.tenantId, 'test-client-id', secret, {
      authorityHost: server.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: server.caPem },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);

  it('issues a token the vault accepts to a ClientSecretCredential with the right secret', async () => {
    const token = await credential('test-client-secret').getToken('https://vault.azure.net/.default');
    expect(token.token).toBe('test-token');
    const client = new SecretClient(server.url, credential('test-client-secret'), {
      tlsOptions: { ca: server.caPem },
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    await client.setSecret('via-entra', 'v1');
    expect((await client.getSecret('via-entra')).value).toBe('v1');
  });

  it('refuses a wrong client secret', async () => {
    await expect(credential('wrong').getToken('https://vault.azure.net/.default')).rejects.toThrow(
      /invalid_client|7000215|Invalid client secret/,
    );
  });
});
