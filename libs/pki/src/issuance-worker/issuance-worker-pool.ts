import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { CertificateAuthority } from '../certificate-authority';
import type { CertificateProfile } from '../certificate-profile';
import type { PemOrDer } from '../der-encoding';
import {
  type IssuanceContext,
  type IssuanceResult,
  issueFromCsr,
  issueWithGeneratedKey,
  rekeyCertificate,
  renewCertificate,
  type SubjectNamesInput,
} from '../issuance';
import type { KeyType } from '../key-type';
import {
  type IssuanceJob,
  type IssuanceReply,
  type IssuanceWork,
  receiveError,
  receiveResult,
  type WorkerCaMaterial,
} from './issuance-jobs';

export interface IssuanceWorkerPoolOptions {
  /** Worker threads; 0 issues on the calling thread (no pool). */
  size: number;
  /** Node flags for the workers (default: this process's module hooks, e.g. the SWC `-r` that loads TypeScript). */
  execArgv?: string[];
  /** Told when a thread fails or exits unexpectedly (it is replaced on the next job). */
  onThreadFailure?: (error: Error) => void;
}

interface PendingJob {
  job: IssuanceJob;
  ca: CertificateAuthority & { signer: { privateKey: KeyObject } };
  profile: CertificateProfile;
  resolve(result: IssuanceResult): void;
  reject(error: Error): void;
}

interface PoolWorker {
  thread: Worker;
  pending: Map<number, PendingJob>;
  /** References (CAs, profiles) this thread has been sent the value of. */
  known: Set<number>;
}

const WORKER_FILE = join(__dirname, 'issuance.worker.ts');
const MODULE_HOOK_FLAGS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
]);

/**
 * The flags of this process that a worker needs to load its code: module hooks (`-r`, `--require`,
 * `--import`, `--loader`, `--conditions`). Others are left out: process-wide and V8 flags (say
 * `--max-old-space-size` or `--cpu-prof`) make `new Worker` throw ERR_WORKER_INVALID_EXEC_ARGV.
 */
export function moduleHookArgs(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (!MODULE_HOOK_FLAGS.has(arg.split('=')[0]!)) continue;
    kept.push(arg);
    if (!arg.includes('=') && i + 1 < execArgv.length) kept.push(execArgv[++i]!);
  }
  return kept;
}

/**
 * Issuance on worker threads. Parsing and checking a CSR, applying the profile, linting and signing cost
 * several hundred microseconds of JavaScript and crypto per certificate; on the thread that also serves
 * HTTP they cap issuance at what one core can do, with the rest of the machine idle. Same functions as
 * libs/pki's issueFromCsr / issueWithGeneratedKey, same results and PkiErrors.
 *
 * Only CAs whose key is in this process (Signer.privateKey) can be handed to a worker; a remote signer
 * (Key Vault, HSM) issues on the calling thread, where its I/O belongs.
 */
export class IssuanceWorkerPool {
  private readonly workers: (PoolWorker | undefined)[];
  /** CAs and profiles are cached objects upstream: each goes to a thread once, then by number. */
  private readonly refs = new WeakMap<object, number>();
  private nextRef = 1;
  private nextJobId = 1;
  private nextWorker = 0;
  private closed = false;

  constructor(private readonly options: IssuanceWorkerPoolOptions) {
    this.workers = new Array<PoolWorker | undefined>(Math.max(0, options.size)).fill(undefined);
  }

  issueFromCsr(context: IssuanceContext & SubjectNamesInput & { csr: PemOrDer }): Promise<IssuanceResult> {
    return this.dispatch(context, { kind: 'csr', csr: context.csr }, () => issueFromCsr(context));
  }

  issueWithGeneratedKey(
    context: IssuanceContext & SubjectNamesInput & { keyType: KeyType },
  ): Promise<IssuanceResult> {
    return this.dispatch(context, { kind: 'generated-key', keyType: context.keyType }, () =>
      issueWithGeneratedKey(context),
    );
  }

  /** renewCertificate on a thread: the certificate's key and names again, under the profile given. */
  renewCertificate(context: IssuanceContext & { certificate: PemOrDer }): Promise<IssuanceResult> {
    return this.dispatch(context, { kind: 'renew', certificate: context.certificate }, () =>
      renewCertificate(context),
    );
  }

  /** rekeyCertificate on a thread: the certificate's names with the CSR's key or a generated one. */
  rekeyCertificate(
    context: IssuanceContext & { certificate: PemOrDer } & (
        { csr: PemOrDer; keyType?: undefined } | { keyType: KeyType; csr?: undefined }
      ),
  ): Promise<IssuanceResult> {
    const work: IssuanceWork =
      context.csr !== undefined
        ? { kind: 'rekey', certificate: context.certificate, csr: context.csr }
        : { kind: 'rekey', certificate: context.certificate, keyType: context.keyType };
    return this.dispatch(context, work, () => rekeyCertificate(context));
  }

  /** Jobs handed to threads and not answered yet. */
  get inFlight(): number {
    let count = 0;
    for (const worker of this.workers) count += worker?.pending.size ?? 0;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    const live = this.workers.filter((worker): worker is PoolWorker => worker !== undefined);
    await Promise.all(live.map((worker) => worker.thread.terminate()));
    this.workers.fill(undefined);
  }

  private dispatch(
    context: IssuanceContext & SubjectNamesInput,
    work: IssuanceWork,
    inline: () => Promise<IssuanceResult>,
  ): Promise<IssuanceResult> {
    const { ca, profile } = context;
    if (this.workers.length === 0 || this.closed || !hasLocalKey(ca)) return inline();
    const job = {
      ...work,
      id: this.nextJobId++,
      caRef: this.refOf(ca),
      profileRef: this.refOf(profile),
      nowMs: context.clock.now().getTime(),
      ...(context.urls && { urls: context.urls }),
      ...(context.ttlSeconds !== undefined && { ttlSeconds: context.ttlSeconds }),
      ...(context.commonName !== undefined && { commonName: context.commonName }),
      ...(context.altNames && { altNames: context.altNames }),
    } as IssuanceJob;
    return new Promise((resolve, reject) => this.send(this.pick(), { job, ca, profile, resolve, reject }));
  }

  private refOf(value: object): number {
    let ref = this.refs.get(value);
    if (ref === undefined) {
      ref = this.nextRef++;
      this.refs.set(value, ref);
    }
    return ref;
  }

  private send(worker: PoolWorker, pending: PendingJob): void {
    const { job, ca, profile } = pending;
    const message: IssuanceJob = { ...job };
    if (!worker.known.has(job.caRef)) {
      message.ca = {
        der: ca.der,
        chain: [...ca.chain],
        algorithm: ca.signer.algorithm,
        privateKey: ca.signer.privateKey,
      } satisfies WorkerCaMaterial;
      worker.known.add(job.caRef);
    }
    if (!worker.known.has(job.profileRef)) {
      message.profile = profile;
      worker.known.add(job.profileRef);
    }
    // While a job is out, its answer keeps the process alive (a script awaiting it must not exit).
    if (worker.pending.size === 0) worker.thread.ref();
    worker.pending.set(job.id, pending);
    worker.thread.postMessage(message);
  }

  /** Round robin over live threads; a thread that died is replaced here, on the next job. */
  private pick(): PoolWorker {
    const index = this.nextWorker;
    this.nextWorker = (this.nextWorker + 1) % this.workers.length;
    return (this.workers[index] ??= this.spawn(index));
  }

  private spawn(index: number): PoolWorker {
    const thread = new Worker(WORKER_FILE, {
      execArgv: this.options.execArgv ?? moduleHookArgs(process.execArgv),
    });
    const worker: PoolWorker = { thread, pending: new Map(), known: new Set() };
    thread.on('message', (reply: IssuanceReply) => this.settle(worker, reply));
    // An idle thread never keeps the process alive (after the listener: adding one refs the port again).
    thread.unref();
    const fail = (error: Error) => {
      if (this.workers[index] !== worker) return;
      this.workers[index] = undefined;
      if (!this.closed) this.options.onThreadFailure?.(error);
      for (const pending of worker.pending.values()) pending.reject(error);
      worker.pending.clear();
    };
    thread.on('error', (error) => fail(new Error(`issuance worker failed: ${error.message}`)));
    thread.on('exit', (code) => fail(new Error(`issuance worker exited (code ${code})`)));
    return worker;
  }

  private settle(worker: PoolWorker, reply: IssuanceReply): void {
    const pending = worker.pending.get(reply.id);
    if (!pending) return;
    worker.pending.delete(reply.id);
    if (worker.pending.size === 0) worker.thread.unref();
    if (reply.ok) pending.resolve(receiveResult(reply.result, pending.ca));
    else if ('unknownRefs' in reply) {
      worker.known.delete(pending.job.caRef);
      worker.known.delete(pending.job.profileRef);
      this.send(worker, pending);
    } else pending.reject(receiveError(reply.error));
  }
}

function hasLocalKey(
  ca: CertificateAuthority,
): ca is CertificateAuthority & { signer: { privateKey: KeyObject } } {
  return ca.signer.privateKey !== undefined;
}
