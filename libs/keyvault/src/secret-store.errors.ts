/**
 * Provider-neutral errors of the secret-store layer. Callers (HTTP layer, workers) branch on these
 * classes only, never on SDK-specific errors, so switching provider (Azure, PostgreSQL...) does not
 * change error handling. The provider's own status and code are kept for diagnostics.
 *
 * Messages carry the operation and the secret *name* only: never a value, and never the raw SDK
 * message (which can echo request content).
 */
export interface SecretStoreErrorDetails {
  provider: string;
  operation: string;
  secretName?: string;
  /** HTTP status (or equivalent) reported by the provider, when there was one. */
  providerStatus?: number;
  /** The provider's error code, e.g. `SecretNotFound`, `Forbidden`, `ObjectIsDeletedButRecoverable`. */
  providerCode?: string;
}

export abstract class SecretStoreError extends Error {
  readonly provider: string;
  readonly operation: string;
  readonly secretName?: string;
  readonly providerStatus?: number;
  readonly providerCode?: string;

  constructor(message: string, details: SecretStoreErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.provider = details.provider;
    this.operation = details.operation;
    if (details.secretName !== undefined) this.secretName = details.secretName;
    if (details.providerStatus !== undefined) this.providerStatus = details.providerStatus;
    if (details.providerCode !== undefined) this.providerCode = details.providerCode;
  }
}

export class SecretNotFoundError extends SecretStoreError {
  override readonly name = 'SecretNotFoundError';
}

/** 401/403 from the provider: never retried, and counted separately (a 403 is a permission problem to alert on). */
export class AuthenticationError extends SecretStoreError {
  override readonly name = 'AuthenticationError';
}

/** The call timed out, or the circuit breaker is open and the call was not attempted. */
export class TimeoutError extends SecretStoreError {
  override readonly name = 'TimeoutError';
  /** True when the breaker refused the call without contacting the provider. */
  readonly circuitOpen: boolean;

  constructor(
    message: string,
    details: SecretStoreErrorDetails & { circuitOpen?: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, details, options);
    this.circuitOpen = details.circuitOpen ?? false;
  }
}

/** Any other failure (5xx after retries, 409 conflicts, invalid input rejected by the provider...). */
export class OperationError extends SecretStoreError {
  override readonly name = 'OperationError';
}

/** A secret reference (URI or name) that cannot be parsed or mapped onto the provider's naming rules. */
export class InvalidSecretReferenceError extends Error {
  override readonly name = 'InvalidSecretReferenceError';
}
