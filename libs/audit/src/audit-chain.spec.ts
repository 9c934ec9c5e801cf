import { createSecretKey, randomBytes } from 'node:crypto';
import { chainHash, chainMac, GENESIS_HASH } from '@mazevault/crypto';
import {
  type ChainVerificationInput,
  type HashedAuditFields,
  hashedContent,
  linkAuditRow,
  verifyAuditChain,
} from './audit-chain';
import { signCheckpoint } from './audit-checkpoint';

const key = createSecretKey(randomBytes(32));
const KEY_ID = 'ak1:0123456789abcdef';
const keys = new Map([[KEY_ID, key]]);

type Row = HashedAuditFields & { prevHash: string | null; hash: string | null };

function event(n: number, overrides: Partial<HashedAuditFields> = {}): HashedAuditFields {
  return {
    id: String(n),
    occurredAt: new Date(Date.UTC(2026, 11, 1, 0, 0, n)),
    organizationId: '6f1c1f0e-0000-4000-8000-000000000001',
    actorType: 'user',
    actorId: `user-${n}`,
    action: 'secret.read',
    resourceType: 'secret',
    resourceRef: `hmac:${n}`,
    outcome: 'success',
    requestId: `req-${n}`,
    details: { status: 200, route: '/x' },
    keyId: KEY_ID,
    ...overrides,
  };
}

/** A chain of `n` keyed rows (and `unkeyed` old-scheme rows first), linked as the writer links them. */
function chain(n: number, unkeyed = 0): Row[] {
  const rows: Row[] = [];
  let previous = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields = event(i, i <= unkeyed ? { keyId: null } : {});
    const hash = linkAuditRow(previous, fields, key);
    rows.push({ ...fields, prevHash: previous, hash });
    previous = hash;
  }
  return rows;
}

const verify = (rows: Row[], extra: Partial<ChainVerificationInput> = {}) =>
  verifyAuditChain({ rows, head: rows.at(-1)?.hash ?? GENESIS_HASH, keys, ...extra });

describe('audit chain links', () => {
  // Written out here, not derived from hashedContent: dropping a field from the link must fail.
  const COVERED = [
    'id',
    'occurredAt',
    'organizationId',
    'actorType',
    'actorId',
    'action',
    'resourceType',
    'resourceRef',
    'outcome',
    'requestId',
    'details',
    'keyId',
  ];

  it('covers exactly every column but the chain columns (keyed rows also their key id; old rows as they always were)', () => {
    expect(Object.keys(hashedContent(event(1))).sort()).toEqual([...COVERED].sort());
    expect(Object.keys(hashedContent(event(1, { keyId: null }))).sort()).toEqual(
      COVERED.filter((f) => f !== 'keyId').sort(),
    );
  });

  const changes: Record<(typeof COVERED)[number], Partial<HashedAuditFields>> = {
    id: { id: '99' },
    occurredAt: { occurredAt: new Date(Date.UTC(2027, 0, 1)) },
    organizationId: { organizationId: null },
    actorType: { actorType: 'api_token' },
    actorId: { actorId: 'someone-else' },
    action: { action: 'secret.write' },
    resourceType: { resourceType: 'certificate' },
    resourceRef: { resourceRef: 'hmac:other' },
    outcome: { outcome: 'denied' },
    requestId: { requestId: 'req-other' },
    details: { details: { status: 200, route: '/y' } },
    keyId: { keyId: 'ak1:fedcba9876543210' },
  };

  it.each(COVERED)('changes when %s changes, and verification names the row', (field) => {
    const original = event(1);
    const changed = { ...original, ...changes[field] };
    // Same key throughout: only the field differs.
    expect(linkAuditRow(GENESIS_HASH, changed, key)).not.toBe(linkAuditRow(GENESIS_HASH, original, key));
    const rows = chain(3);
    rows[1] = { ...rows[1]!, ...changes[field] };
    const result = verify(rows, { keys: new Map([...keys, ['ak1:fedcba9876543210', key]]) });
    expect(result).toMatchObject({
      ok: false,
      verified: 1,
      brokenAt: { id: rows[1]!.id, position: 2, problem: 'hash_mismatch' },
    });
  });

  it('is an HMAC under the key (the unkeyed SHA-256 only for old-scheme rows)', () => {
    expect(linkAuditRow(GENESIS_HASH, event(1), key)).toBe(
      chainMac(key, GENESIS_HASH, hashedContent(event(1))),
    );
    expect(linkAuditRow(GENESIS_HASH, event(1), key)).not.toBe(
      linkAuditRow(GENESIS_HASH, event(1), createSecretKey(randomBytes(32))),
    );
    expect(linkAuditRow(GENESIS_HASH, event(1, { keyId: null }), undefined)).toBe(
      chainHash(GENESIS_HASH, hashedContent(event(1, { keyId: null }))),
    );
    expect(() => linkAuditRow(GENESIS_HASH, event(1), undefined)).toThrow(/no audit key/);
  });
});

describe('audit chain verification', () => {
  it('accepts an intact chain whose newest row is the head', () => {
    const rows = chain(5);
    expect(verify(rows)).toEqual({
      ok: true,
      verified: 5,
      unkeyed: 0,
      tip: rows[4]!.hash,
      head: rows[4]!.hash,
    });
    expect(verify([])).toMatchObject({ ok: true, verified: 0 });
  });

  it('follows links, not ids (rows sealed out of id order)', () => {
    const rows = chain(4);
    expect(verify([rows[2]!, rows[0]!, rows[3]!, rows[1]!], { head: rows[3]!.hash! })).toMatchObject({
      ok: true,
      verified: 4,
    });
  });

  it('detects an edit even when the whole chain is recomputed without the key', () => {
    const rows = chain(5);
    // The tamperer edits row 3 and recomputes every later link — with SHA-256, or with a key of their own.
    for (const forge of [
      (p: string, r: HashedAuditFields) => chainHash(p, hashedContent(r)),
      (p: string, r: HashedAuditFields) => chainMac(randomBytes(32), p, hashedContent(r)),
    ]) {
      const forged = rows.map((row) => ({ ...row }));
      forged[2]!.action = 'secret.list';
      let previous = forged[1]!.hash!;
      for (const row of forged.slice(2)) {
        row.prevHash = previous;
        row.hash = forge(previous, row);
        previous = row.hash;
      }
      expect(verify(forged)).toMatchObject({
        ok: false,
        verified: 2,
        brokenAt: { id: '3', position: 3, problem: 'hash_mismatch' },
      });
    }
  });

  it('detects a row deleted in the middle, naming the row cut off', () => {
    const rows = chain(5);
    const result = verify([rows[0]!, rows[1]!, rows[3]!, rows[4]!]);
    expect(result).toMatchObject({ ok: false, verified: 2, brokenAt: { id: '4', problem: 'missing_link' } });
    expect(result.brokenAt?.detail).toMatch(/ends at link 2; 2 rows cut off/);
  });

  it('detects newest rows deleted without moving the head back', () => {
    const rows = chain(5);
    expect(verify(rows.slice(0, 3), { head: rows[4]!.hash! })).toMatchObject({
      ok: false,
      verified: 3,
      brokenAt: { problem: 'head_mismatch' },
    });
    expect(verify(rows, { head: rows[2]!.hash! })).toMatchObject({
      ok: false,
      brokenAt: { problem: 'head_mismatch', detail: expect.stringMatching(/points at row 3/) },
    });
  });

  it('detects newest rows deleted and the head moved back, against a checkpoint taken before', () => {
    const rows = chain(5);
    const checkpoint = signCheckpoint(
      { lastId: '5', head: rows[4]!.hash!, count: 5, at: '2026-12-01T00:00:00.000Z' },
      { id: KEY_ID, key },
    );
    const truncated = rows.slice(0, 3);
    expect(verify(truncated)).toMatchObject({ ok: true }); // nothing in the database alone can tell
    expect(verify(truncated, { checkpoint })).toMatchObject({
      ok: false,
      verified: 3,
      brokenAt: {
        problem: 'checkpoint_mismatch',
        detail: expect.stringMatching(/has 3 links, but the checkpoint .* recorded 5 \(up to row 5\)/),
      },
    });
    expect(verify(rows, { checkpoint })).toMatchObject({ ok: true, checkpoint: { count: 5, lastId: '5' } });
  });

  it('detects a chain rewritten below a checkpoint (same length, other rows)', () => {
    const rows = chain(5);
    const checkpoint = signCheckpoint(
      { lastId: '4', head: rows[3]!.hash!, count: 4, at: '2026-12-01T00:00:00.000Z' },
      { id: KEY_ID, key },
    );
    expect(verify(rows, { checkpoint })).toMatchObject({ ok: true });
    const fewer = chain(3);
    // A different fourth link (a row of the tamperer's own, under a key this verifier is made to accept):
    const forgedKey = createSecretKey(randomBytes(32));
    const fourth = event(4, { keyId: 'ak1:forged' });
    const rewritten = [
      ...fewer,
      { ...fourth, prevHash: fewer[2]!.hash, hash: linkAuditRow(fewer[2]!.hash!, fourth, forgedKey) },
    ];
    expect(
      verify(rewritten, { checkpoint, keys: new Map([...keys, ['ak1:forged', forgedKey]]) }),
    ).toMatchObject({
      ok: false,
      brokenAt: { id: '4', position: 4, problem: 'checkpoint_mismatch' },
    });
  });

  it('verifies old-scheme rows as a prefix only, and names a row whose key it lacks', () => {
    const mixed = chain(5, 2);
    expect(verify(mixed)).toMatchObject({ ok: true, verified: 5, unkeyed: 2 });
    // Downgrading a keyed row to the old scheme (recomputable by anyone) is caught.
    const downgraded = mixed.map((row) => ({ ...row }));
    downgraded[3]!.keyId = null;
    downgraded[3]!.hash = linkAuditRow(downgraded[3]!.prevHash!, downgraded[3]!, undefined);
    expect(verify(downgraded)).toMatchObject({
      ok: false,
      brokenAt: { id: '4', problem: 'unkeyed_after_keyed' },
    });
    expect(verify(mixed, { keys: new Map() })).toMatchObject({
      ok: false,
      verified: 2,
      brokenAt: { id: '3', problem: 'key_unavailable' },
    });
  });
});
