// Worker thread entry of IssuanceWorkerPool: runs libs/pki issuance (CSR parse and self-signature
// check, profile, lint, CA signature) off the event loop that serves HTTP. Pure computation: no I/O.
import { parentPort } from 'node:worker_threads';
import { type CertificateAuthority, loadCertificateAuthority } from '../certificate-authority';
import type { CertificateProfile } from '../certificate-profile';
import { fixedClock } from '../clock';
import { runCryptoInline } from '../crypto-dispatch';
import {
  type IssuanceContext,
  type IssuanceResult,
  issueFromCsr,
  issueWithGeneratedKey,
  rekeyCertificate,
  renewCertificate,
  type SubjectNamesInput,
} from '../issuance';
import { signerFromPkcs8 } from '../signer';
import {
  type IssuanceJob,
  type IssuanceReply,
  transferError,
  transferResult,
  type WorkerCaMaterial,
} from './issuance-jobs';

/** CAs and profiles by reference; a reloaded one gets a new reference, so old ones are only dropped wholesale. */
const MAX_REFS = 512;
const authorities = new Map<number, Promise<CertificateAuthority>>();
const profiles = new Map<number, CertificateProfile>();

async function loadAuthority(material: WorkerCaMaterial): Promise<CertificateAuthority> {
  const pkcs8 = new Uint8Array(material.privateKey.export({ format: 'der', type: 'pkcs8' }));
  try {
    const signer = await signerFromPkcs8(pkcs8);
    return await loadCertificateAuthority({ certificate: material.der, signer, issuerChain: material.chain });
  } finally {
    pkcs8.fill(0);
  }
}

function remember<T>(map: Map<number, T>, ref: number, value: T): T {
  if (map.size >= MAX_REFS) map.clear();
  map.set(ref, value);
  return value;
}

function authorityFor(job: IssuanceJob): Promise<CertificateAuthority> | undefined {
  const known = authorities.get(job.caRef);
  if (known || !job.ca) return known;
  const loading = remember(authorities, job.caRef, loadAuthority(job.ca));
  loading.catch(() => authorities.delete(job.caRef));
  return loading;
}

function profileFor(job: IssuanceJob): CertificateProfile | undefined {
  return profiles.get(job.profileRef) ?? (job.profile && remember(profiles, job.profileRef, job.profile));
}

async function run(job: IssuanceJob): Promise<IssuanceReply> {
  const authority = authorityFor(job);
  const profile = profileFor(job);
  if (!authority || !profile) return { id: job.id, ok: false, unknownRefs: true };
  try {
    const context = {
      ca: await authority,
      profile,
      clock: fixedClock(new Date(job.nowMs)),
      ...(job.urls && { urls: job.urls }),
      ...(job.ttlSeconds !== undefined && { ttlSeconds: job.ttlSeconds }),
      ...(job.commonName !== undefined && { commonName: job.commonName }),
      ...(job.altNames && { altNames: job.altNames }),
    };
    const result = await perform(job, context);
    return { id: job.id, ok: true, result: transferResult(result) };
  } catch (error) {
    return { id: job.id, ok: false, error: transferError(error) };
  }
}

function perform(job: IssuanceJob, context: IssuanceContext & SubjectNamesInput): Promise<IssuanceResult> {
  switch (job.kind) {
    case 'csr':
      return issueFromCsr({ ...context, csr: job.csr });
    case 'generated-key':
      return issueWithGeneratedKey({ ...context, keyType: job.keyType });
    case 'renew':
      return renewCertificate({ ...context, certificate: job.certificate });
    case 'rekey':
      return job.csr !== undefined
        ? rekeyCertificate({ ...context, certificate: job.certificate, csr: job.csr })
        : rekeyCertificate({ ...context, certificate: job.certificate, keyType: job.keyType });
  }
}

function reply(message: IssuanceReply): void {
  try {
    // A generated private key moves to the caller rather than being copied: no plaintext copy stays here.
    const key = message.ok ? message.result.privateKeyPkcs8 : undefined;
    parentPort!.postMessage(message, key ? [key] : []);
  } catch (error) {
    // Error details that cannot be cloned: the code and message still reach the caller.
    if (message.ok || !('error' in message)) throw error;
    parentPort!.postMessage({ id: message.id, ok: false, error: { ...message.error, details: undefined } });
  }
}

runCryptoInline(true);

parentPort!.on('message', (job: IssuanceJob) => {
  void run(job).then(reply);
});
