import { projectKekAad } from './envelope-encryption';
import type { KekContext, WrappedKek } from './envelope.types';
import { toKeyRing, type MasterKeyProvider, type MasterKeyRing } from './master-key.provider';

/**
 * Master-key rotation rewraps project KEKs only: value ciphertexts and wrapped data keys are untouched,
 * so the work is proportional to the number of projects, not secrets.
 *
 * The procedure is resumable without any bookkeeping of its own: the state lives in the data (each
 * wrapped KEK records its `masterKeyId`). Items already under the new master are skipped, so a run
 * interrupted halfway (crash, deploy, failed item) is completed by simply running it again.
 */
export interface KekRecord {
  context: KekContext;
  wrapped: WrappedKek;
}

export interface MasterKeyRotationOptions<R extends KekRecord> {
  /** The KEKs to rotate; streamed, so a large estate never has to fit in memory. */
  records: Iterable<R> | AsyncIterable<R>;
  /** Master keys able to unwrap the current KEKs (the old one, possibly others from an earlier interrupted rotation). */
  from: MasterKeyProvider | MasterKeyRing;
  to: MasterKeyProvider;
  /** Persists one rewrapped KEK; should be a conditional update (`WHERE master_key_id = old`) for concurrent runners. */
  save(record: R, rewrapped: WrappedKek): Promise<void>;
  /** Keep going after a failed item (it is reported and left for the next run); default false: stop at the first failure. */
  continueOnError?: boolean;
  signal?: AbortSignal;
}

export interface MasterKeyRotationReport<R extends KekRecord> {
  rewrapped: number;
  skipped: number;
  failed: { record: R; error: Error }[];
  /** True when every record seen is now under the new master key. */
  complete: boolean;
}

/** Rewraps one KEK from its current master key to `to`. Pure apart from the providers' wrap/unwrap. */
export async function rewrapKek(
  context: KekContext,
  wrapped: WrappedKek,
  from: MasterKeyProvider | MasterKeyRing,
  to: MasterKeyProvider,
): Promise<WrappedKek> {
  const aad = projectKekAad(context);
  const key = await toKeyRing(from).get(wrapped.masterKeyId).unwrapKey(wrapped.wrapped, aad);
  try {
    return {
      format: 'v1',
      kekVersion: wrapped.kekVersion,
      masterKeyId: to.id,
      wrapped: await to.wrapKey(key, aad),
    };
  } finally {
    key.fill(0);
  }
}

export async function rotateMasterKey<R extends KekRecord>(
  options: MasterKeyRotationOptions<R>,
): Promise<MasterKeyRotationReport<R>> {
  const report: MasterKeyRotationReport<R> = { rewrapped: 0, skipped: 0, failed: [], complete: true };
  for await (const record of options.records) {
    options.signal?.throwIfAborted();
    if (record.wrapped.masterKeyId === options.to.id) {
      report.skipped++;
      continue;
    }
    try {
      const rewrapped = await rewrapKek(record.context, record.wrapped, options.from, options.to);
      await options.save(record, rewrapped);
      report.rewrapped++;
    } catch (error) {
      report.failed.push({ record, error: error instanceof Error ? error : new Error(String(error)) });
      report.complete = false;
      if (!options.continueOnError) return report;
    }
  }
  return report;
}
