import { createSecretKey, randomBytes } from 'node:crypto';
import { checkCheckpointSignature, parseCheckpoint, signCheckpoint } from './audit-checkpoint';

const key = { id: 'ak1:0123456789abcdef', key: createSecretKey(randomBytes(32)) };
const keys = new Map([[key.id, key.key]]);
const state = { lastId: '42', head: 'a'.repeat(64), count: 40, at: '2026-12-01T00:05:00.000Z' };

describe('audit checkpoints', () => {
  it('are signed over every field: any change fails the signature', () => {
    const checkpoint = signCheckpoint(state, key);
    expect(checkpoint).toMatchObject({
      v: 1,
      ...state,
      keyId: key.id,
      mac: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(checkCheckpointSignature(checkpoint, keys)).toEqual({ ok: true });
    const altered = [
      { lastId: '41' },
      { head: 'b'.repeat(64) },
      { count: 39 },
      { at: '2026-12-01T00:00:00.000Z' },
      { keyId: 'ak1:other' },
    ];
    for (const change of altered) {
      const result = checkCheckpointSignature(
        { ...checkpoint, ...change },
        new Map([...keys, ['ak1:other', key.key]]),
      );
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    }
    expect(
      checkCheckpointSignature(
        signCheckpoint(state, { id: key.id, key: createSecretKey(randomBytes(32)) }),
        keys,
      ),
    ).toMatchObject({ ok: false });
    expect(checkCheckpointSignature(checkpoint, new Map())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not hold/),
    });
  });

  it('parse from the logged JSON or an export line, and refuse anything else', () => {
    const checkpoint = signCheckpoint(state, key);
    expect(parseCheckpoint(JSON.stringify(checkpoint))).toEqual(checkpoint);
    expect(parseCheckpoint(JSON.stringify({ type: 'audit.checkpoint', checkpoint }))).toEqual(checkpoint);
    expect(() => parseCheckpoint(JSON.stringify({ ...checkpoint, count: -1 }))).toThrow();
    expect(() => parseCheckpoint(JSON.stringify({ ...checkpoint, extra: 1 }))).toThrow();
    expect(() => parseCheckpoint('not json')).toThrow();
  });
});
