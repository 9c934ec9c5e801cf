/**
 * Every refusal in libs/pki is a `PkiError` with a stable, machine-readable `code` (callers map codes
 * to HTTP statuses and audit events; messages are for humans and may change).
 */
export type PkiErrorCode =
  // encoding / input
  | 'malformed_der'
  | 'malformed_pem'
  | 'input_too_large'
  | 'invalid_argument'
  // keys and signatures
  | 'unsupported_key_type'
  | 'unsupported_signature_algorithm'
  | 'key_type_not_allowed'
  | 'key_too_weak'
  | 'weak_rsa_key'
  | 'key_mismatch'
  | 'signature_invalid'
  | 'csr_signature_invalid'
  // names
  | 'invalid_name'
  | 'san_type_not_allowed'
  | 'san_not_allowed'
  | 'wildcard_not_allowed'
  | 'common_name_required'
  | 'subject_alt_name_required'
  | 'too_many_names'
  // extensions requested by a CSR
  | 'ca_not_allowed'
  | 'eku_not_allowed'
  | 'key_usage_not_allowed'
  | 'extension_not_allowed'
  // profiles and CAs
  | 'invalid_profile'
  | 'eku_reserved'
  | 'invalid_validity'
  | 'ttl_exceeds_profile'
  | 'ttl_exceeds_issuer'
  | 'not_a_ca'
  | 'ca_expired'
  | 'path_length_exceeded'
  | 'lint_failed'
  // revocation
  | 'crl_validity_too_long'
  | 'ocsp_validity_invalid';

export class PkiError extends Error {
  override readonly name = 'PkiError';

  constructor(
    readonly code: PkiErrorCode,
    message: string,
    /** Structured context (e.g. the offending SAN, or the lint findings for `lint_failed`). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function isPkiError(error: unknown, code?: PkiErrorCode): error is PkiError {
  return error instanceof PkiError && (code === undefined || error.code === code);
}
