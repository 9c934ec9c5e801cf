// @mazevault/pki — X.509 domain logic (CAs, profiles, CSRs, issuance with pre-issuance lint, CRLs, OCSP)
// on pkijs + asn1js over WebCrypto. Pure: no I/O; time comes from a Clock, keys from a Signer.
export * from './pki-error';
export * from './clock';
export type { CryptoKey, CryptoKeyPair, HashName } from './crypto-engine';
export * from './oids';
export * from './der-encoding';
export * from './key-type';
export * from './signer';
export { signatureAlgorithmFor, verifySignature } from './signature-algorithm';
export * from './distinguished-name';
export * from './alt-names';
export * from './extensions';
export * from './serial-number';
export * from './validity';
export * from './certificate';
export * from './certificate-profile';
export * from './certificate-lint';
export * from './certificate-signing';
export * from './certification-request';
export * from './certificate-authority';
export * from './issuance';
export * from './certificate-revocation-list';
export * from './ocsp-request';
export * from './ocsp-response';
export * from './ocsp-signer';
export * from './issuance-worker/issuance-worker-pool';
export * from './key-fingerprint';
export * from './sealed-signer-key';
