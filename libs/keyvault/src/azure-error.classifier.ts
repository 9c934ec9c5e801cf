import {
  AuthenticationError,
  OperationError,
  SecretNotFoundError,
  SecretStoreError,
  TimeoutError,
  type SecretStoreErrorDetails,
} from './secret-store.errors';
import { isCircuitOpenError, isTimeoutError, type ErrorClassifier } from './resilience.policy';

/**
 * Reading @azure/keyvault-secrets errors (core-rest-pipeline `RestError`s) without importing the
 * pipeline package: duck-typed on `statusCode`, `code`, `details` and `response.headers`.
 */
interface AzureLikeError {
  name?: string;
  statusCode?: number;
  code?: string;
  details?: { error?: { code?: string; innerError?: { code?: string } } };
  response?: { headers?: { get(name: string): string | undefined } };
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** @azure/identity failures: the credential cannot produce a token; retrying will not help. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'AuthenticationError',
]);

function asAzure(error: unknown): AzureLikeError {
  return (typeof error === 'object' && error !== null ? error : {}) as AzureLikeError;
}

export const azureErrorClassifier: ErrorClassifier = {
  isTransient(error) {
    const e = asAzure(error);
    if (e.statusCode !== undefined) return TRANSIENT_STATUS.has(e.statusCode);
    // A RestError without status is a transport failure (connection refused/reset, DNS, TLS).
    return e.name === 'RestError';
  },
  retryAfterMs(error) {
    const header = asAzure(error).response?.headers?.get('retry-after');
    if (!header) return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
  },
};

/** Maps anything thrown by an Azure call (or by the resilience policy around it) to a SecretStoreError. */
export function normalizeAzureError(error: unknown, details: SecretStoreErrorDetails): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const subject = details.secretName !== undefined ? ` for secret "${details.secretName}"` : '';
  const where = `${details.provider} ${details.operation}${subject}`;
  if (isCircuitOpenError(error)) {
    return new TimeoutError(
      `${where}: circuit breaker open, call not attempted`,
      { ...details, circuitOpen: true },
      { cause: error },
    );
  }
  const e = asAzure(error);
  if (isTimeoutError(error) || e.name === 'AbortError') {
    return new TimeoutError(`${where}: timed out`, details, { cause: error });
  }
  if (e.name && CREDENTIAL_ERRORS.has(e.name)) {
    return new AuthenticationError(`${where}: no access token (${e.name})`, details, { cause: error });
  }
  const status = e.statusCode;
  const code = e.details?.error?.innerError?.code ?? e.details?.error?.code ?? e.code;
  const full = {
    ...details,
    ...(status !== undefined ? { providerStatus: status } : {}),
    ...(code ? { providerCode: code } : {}),
  };
  const suffix = ` (status ${status ?? 'n/a'}${code ? `, ${code}` : ''})`;
  // The SDK's message is not reused: it can contain request details.
  if (status === 404) return new SecretNotFoundError(`${where}: not found${suffix}`, full, { cause: error });
  if (status === 401 || status === 403)
    return new AuthenticationError(`${where}: access denied${suffix}`, full, { cause: error });
  return new OperationError(`${where}: failed${suffix}`, full, { cause: error });
}
