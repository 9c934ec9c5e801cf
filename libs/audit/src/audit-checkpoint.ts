import { createHmac, type KeyObject } from 'node:crypto';
import { canonicalJson, constantTimeEqual } from '@mazevault/crypto';
import { z } from 'zod';
import type { AuditKey } from './audit-keys';

/**
 * A signed statement of the chain's state at a moment: its head, how many links lead to it, and the
 * row that holds it. Written outside the database (the log, the audit export), it lets a verifier
 * catch what the database alone cannot show: rows cut from the end with the head moved back to match.
 *
 * Signed with HMAC under a key derived from the master key, like the links: whoever verifies the
 * chain needs that key anyway (the links are HMACs), and the attacker the checkpoint defends against
 * (write access to the database, the log pipeline or the export) has none. A signature anyone could
 * check (Ed25519) would only pay if third parties without the master key verified checkpoints alone.
 */
export const auditCheckpointSchema = z
  .object({
    v: z.literal(1),
    lastId: z.string().regex(/^\d+$/),
    head: z.string().regex(/^[0-9a-f]{64}$/),
    count: z.number().int().min(0),
    at: z.string().datetime(),
    keyId: z.string().min(1),
    mac: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;
export type UnsignedCheckpoint = Omit<AuditCheckpoint, 'mac' | 'keyId' | 'v'>;

function checkpointMac(key: KeyObject, checkpoint: Omit<AuditCheckpoint, 'mac'>): string {
  const { v, lastId, head, count, at, keyId } = checkpoint;
  return createHmac('sha256', key)
    .update('mazevault:audit-checkpoint\n')
    .update(canonicalJson({ v, lastId, head, count, at, keyId }))
    .digest('hex');
}

export function signCheckpoint(state: UnsignedCheckpoint, key: AuditKey): AuditCheckpoint {
  const unsigned = {
    v: 1 as const,
    lastId: state.lastId,
    head: state.head,
    count: state.count,
    at: state.at,
    keyId: key.id,
  };
  return { ...unsigned, mac: checkpointMac(key.key, unsigned) };
}

/** Parses a checkpoint (the JSON object, or an export line carrying it under `checkpoint`). */
export function parseCheckpoint(text: string): AuditCheckpoint {
  const value: unknown = JSON.parse(text);
  const candidate =
    value && typeof value === 'object' && 'checkpoint' in value
      ? (value as { checkpoint: unknown }).checkpoint
      : value;
  return auditCheckpointSchema.parse(candidate);
}

export type CheckpointCheck = { ok: true } | { ok: false; reason: string };

/** Whether the checkpoint was signed by a holder of the master key it names. */
export function checkCheckpointSignature(
  checkpoint: AuditCheckpoint,
  keys: ReadonlyMap<string, KeyObject>,
): CheckpointCheck {
  const key = keys.get(checkpoint.keyId);
  if (!key)
    return {
      ok: false,
      reason: `checkpoint signed under audit key ${checkpoint.keyId}, derived from a master key this verifier does not hold`,
    };
  const { mac, ...unsigned } = checkpoint;
  if (!constantTimeEqual(checkpointMac(key, unsigned), mac))
    return {
      ok: false,
      reason: 'checkpoint signature does not verify: it was altered or not written by this Primary',
    };
  return { ok: true };
}
