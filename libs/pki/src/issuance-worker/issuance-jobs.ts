import type { KeyObject } from 'node:crypto';
import type { AltNames } from '../alt-names';
import { type CertificateAuthority, caChainPem } from '../certificate-authority';
import { type IssuedCertificateFields, issuedCertificateOf } from '../certificate';
import type { CertificateProfile } from '../certificate-profile';
import type { PemOrDer } from '../der-encoding';
import type { IssuanceUrls } from '../extensions';
import type { IssuanceResult } from '../issuance';
import type { KeyType } from '../key-type';
import { PkiError, type PkiErrorCode } from '../pki-error';

// The messages between IssuanceWorkerPool (event loop) and issuance.worker.ts: plain values only
// (structured clone), so a certificate, a PkiError or a CA crosses the thread boundary as data.

/** A CA as the worker needs it: its certificate, chain and in-process private key (KeyObjects clone). */
export interface WorkerCaMaterial {
  der: Uint8Array;
  chain: Uint8Array[];
  algorithm: KeyType;
  privateKey: KeyObject;
}

interface JobBase {
  id: number;
  /** Name the CA and profile inside the worker; their values ride along the first time (and after a restart). */
  caRef: number;
  profileRef: number;
  ca?: WorkerCaMaterial;
  profile?: CertificateProfile;
  urls?: IssuanceUrls;
  /** The caller's clock, read once: the worker issues "as of" this instant. */
  nowMs: number;
  ttlSeconds?: number;
  commonName?: string;
  altNames?: Partial<AltNames>;
}

/** What a job certifies: a CSR's key, a generated key, the key of a certificate again (renew), or its names with a new key (rekey). */
export type IssuanceWork =
  | { kind: 'csr'; csr: PemOrDer }
  | { kind: 'generated-key'; keyType: KeyType }
  | { kind: 'renew'; certificate: PemOrDer }
  | { kind: 'rekey'; certificate: PemOrDer; csr: PemOrDer; keyType?: undefined }
  | { kind: 'rekey'; certificate: PemOrDer; keyType: KeyType; csr?: undefined };

export type IssuanceJob = JobBase & IssuanceWork;

/** The chain is not sent back: it is the CA's, which the caller holds (caChainPem). */
export interface TransferredResult {
  certificate: IssuedCertificateFields;
  privateKeyPkcs8?: ArrayBuffer;
  ignoredCsrExtensions?: string[];
}

export interface TransferredError {
  code?: PkiErrorCode;
  message: string;
  details?: unknown;
}

export type IssuanceReply =
  | { id: number; ok: true; result: TransferredResult }
  | { id: number; ok: false; error: TransferredError }
  /** The worker does not hold a reference (it restarted, or evicted it): send the job again with the values. */
  | { id: number; ok: false; unknownRefs: true };

export function transferResult(result: IssuanceResult): TransferredResult {
  const { der, pem, serialNumber, notBefore, notAfter, commonNames, altNames } = result.certificate;
  return {
    certificate: { der, pem, serialNumber, notBefore, notAfter, commonNames, altNames },
    ...(result.privateKeyPkcs8 && { privateKeyPkcs8: result.privateKeyPkcs8 }),
    ...(result.ignoredCsrExtensions && { ignoredCsrExtensions: result.ignoredCsrExtensions }),
  };
}

export function receiveResult(transferred: TransferredResult, ca: CertificateAuthority): IssuanceResult {
  return {
    ...transferred,
    certificate: issuedCertificateOf(transferred.certificate),
    chainPem: caChainPem(ca),
  };
}

/** PkiErrors keep their code and details; anything else only its message (never a stack from the worker). */
export function transferError(error: unknown): TransferredError {
  if (error instanceof PkiError) return { code: error.code, message: error.message, details: error.details };
  return { message: error instanceof Error ? error.message : String(error) };
}

export function receiveError(error: TransferredError): Error {
  return error.code
    ? new PkiError(error.code, error.message, error.details)
    : new Error(`issuance worker: ${error.message}`);
}
