import { isPkiError, type PkiErrorCode } from '@mazevault/pki';
import { ProblemException } from '@mazevault/platform';

const STATUS: Partial<Record<PkiErrorCode, number>> = {
  malformed_der: 400,
  malformed_pem: 400,
  invalid_argument: 400,
  invalid_name: 400,
  invalid_profile: 400,
  input_too_large: 413,
  csr_signature_invalid: 400,
  signature_invalid: 400,
  unsupported_key_type: 400,
  unsupported_signature_algorithm: 400,
  key_mismatch: 409,
  weak_rsa_key: 400,
  too_many_names: 400,
  eku_reserved: 400,
  invalid_validity: 400,
  ttl_exceeds_profile: 400,
  ttl_exceeds_issuer: 400,
  not_a_ca: 409,
  ca_expired: 409,
  path_length_exceeded: 409,
};

/** libs/pki refusals become problems with the library's stable code (policy refusals: 422). */
export function toProblem(error: unknown): unknown {
  if (!isPkiError(error)) return error;
  return new ProblemException(STATUS[error.code] ?? 422, error.code, error.message);
}

export async function pkiCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toProblem(error);
  }
}
