import type { TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import type { KeyVaultTestServer } from './key-vault-test-server';
import { StaticTokenCredential } from './static-token.credential';

export interface TestSecretClientOptions extends SecretClientOptions {
  credential?: TokenCredential;
}

/**
 * Options that make a real SecretClient talk to a {@link KeyVaultTestServer}:
 * - `tlsOptions.ca`: trust the test CA through the supported pipeline option (TLS verification stays on;
 *   NODE_EXTRA_CA_CERTS cannot be set once the process runs);
 * - `disableChallengeResourceVerification`: the challenge names `vault.azure.net`, the server is 127.0.0.1;
 * - `retryOptions.maxRetries: 0` by default, so tests see exactly the requests the code under test makes
 *   (callers that want the SDK's own retries pass their own `retryOptions`).
 */
export function testSecretClientOptions(
  server: KeyVaultTestServer,
  options: SecretClientOptions = {},
): SecretClientOptions {
  return {
    retryOptions: { maxRetries: 0 },
    ...options,
    tlsOptions: { ca: server.caPem, ...options.tlsOptions },
    disableChallengeResourceVerification: true,
  };
}

export function createTestSecretClient(
  server: KeyVaultTestServer,
  options: TestSecretClientOptions = {},
): SecretClient {
  const { credential = new StaticTokenCredential(), ...rest } = options;
  return new SecretClient(server.url, credential, testSecretClientOptions(server, rest));
}
