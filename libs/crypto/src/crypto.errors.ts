/**
 * Errors raised by the envelope-encryption layer. Messages are deliberately generic: they never carry
 * key material, plaintext or the reason a GCM tag failed (which field of the AAD differed), because an
 * oracle that tells an attacker *why* decryption failed helps them forge the next attempt.
 */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  constructor(message = 'decryption failed: wrong key, wrong context or tampered data') {
    super(message);
  }
}

/** A serialized envelope whose format version or shape this build does not understand. */
export class UnsupportedFormatError extends Error {
  override readonly name = 'UnsupportedFormatError';
}

/** A master key could not be loaded (missing, not base64, wrong length) or is unknown to the key ring. */
export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}
