// Worker thread entry of IssuanceWorkerPool: runs libs/pki issuance (CSR parse and self-signature
// check, profile, lint, CA signature) off the event loop that serves HTTP. Pure computation: no I/O.
import { parentPort } from 'node:worker_threads';
import { type CertificateAuthority, loadCertificateAuthority } from '../certificate-authority';
import { fixedClock } from '../clock';
import { runCryptoInline } from '../crypto-dispatch';
import { issueFromCsr, issueWithGeneratedKey } from '../issuance';
import { signerFromPkcs8 } from '../signer';
import { type IssuanceJob, type IssuanceReply, transferError, transferResult, type WorkerCaMaterial } from './issuance-jobs';

/** CAs this worker has seen; a reloaded CA gets a new key, so old ones are only dropped wholesale. */
const MAX_CAS = 256;
const authorities = new Map<number, Promise<CertificateAuthority>>();

async function loadAuthority(material: WorkerCaMaterial): Promise<CertificateAuthority> {
  const pkcs8 = new Uint8Array(material.privateKey.export({ format: 'der', type: 'pkcs8' }));
  try {
    const signer = await signerFromPkcs8(pkcs8);
    return await loadCertificateAuthority({ certificate: material.der, signer, issuerChain: material.chain });
  } finally {
    pkcs8.fill(0);
  }
}

function authorityFor(job: IssuanceJob): Promise<CertificateAuthority> | undefined {
  let authority = authorities.get(job.caKey);
  if (!authority && job.ca) {
    if (authorities.size >= MAX_CAS) authorities.clear();
    authority = loadAuthority(job.ca);
    authority.catch(() => authorities.delete(job.caKey));
    authorities.set(job.caKey, authority);
  }
  return authority;
}

async function run(job: IssuanceJob): Promise<IssuanceReply> {
  const authority = authorityFor(job);
  if (!authority) return { id: job.id, ok: false, unknownCa: true };
  try {
    const context = {
      ca: await authority,
      profile: job.profile,
      clock: fixedClock(new Date(job.nowMs)),
      ...(job.urls && { urls: job.urls }),
      ...(job.ttlSeconds !== undefined && { ttlSeconds: job.ttlSeconds }),
      ...(job.commonName !== undefined && { commonName: job.commonName }),
      ...(job.altNames && { altNames: job.altNames }),
    };
    const result = job.kind === 'csr' ? await issueFromCsr({ ...context, csr: job.csr }) : await issueWithGeneratedKey({ ...context, keyType: job.keyType });
    return { id: job.id, ok: true, result: transferResult(result) };
  } catch (error) {
    return { id: job.id, ok: false, error: transferError(error) };
  }
}

function reply(message: IssuanceReply): void {
  try {
    parentPort!.postMessage(message);
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
