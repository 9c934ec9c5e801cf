import { randomBytes } from 'node:crypto';
import { DecryptionError, MasterKeyError } from './crypto.errors';
import { EnvMasterKeyProvider } from './env-master-key.provider';
import {
  createProjectKek,
  decryptSecretValue,
  encryptSecretValue,
  unwrapProjectKek,
} from './envelope-encryption';
import { serializeEncryptedValue } from './envelope-format';
import type { EncryptedSecretValue, KekContext, WrappedKek } from './envelope.types';
import { rotateMasterKey, type KekRecord } from './master-key-rotation';
import { MasterKeyRing, type MasterKeyProvider } from './master-key.provider';

const newMaster = (id: string) => new EnvMasterKeyProvider({ value: randomBytes(32).toString('base64'), id });

interface Row extends KekRecord {
  value: EncryptedSecretValue;
}

async function estate(master: MasterKeyProvider, projects = 5): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>();
  for (let i = 0; i < projects; i++) {
    const context: KekContext = { organizationId: 'org', projectId: `p${i}`, kekVersion: 1 };
    const { kek, wrapped } = await createProjectKek(context, master);
    const value = encryptSecretValue(
      `value-${i}`,
      { organizationId: 'org', projectId: `p${i}`, environmentId: 'e', secretId: 's', version: 1 },
      kek,
    );
    rows.set(context.projectId, { context, wrapped, value });
  }
  return rows;
}

const save = (rows: Map<string, Row>) => async (record: Row, rewrapped: WrappedKek) => {
  rows.set(record.context.projectId, { ...record, wrapped: rewrapped });
};

async function decryptAll(
  rows: Map<string, Row>,
  masters: MasterKeyProvider | MasterKeyRing,
): Promise<string[]> {
  const out: string[] = [];
  for (const row of rows.values()) {
    const kek = await unwrapProjectKek(row.context, row.wrapped, masters);
    const ctx = {
      organizationId: 'org',
      projectId: row.context.projectId,
      environmentId: 'e',
      secretId: 's',
      version: 1,
    };
    out.push(decryptSecretValue(row.value, ctx, kek).toString());
  }
  return out;
}

describe('master key rotation', () => {
  it('rewraps every KEK without touching value ciphertexts; the old master is no longer needed', async () => {
    const oldMaster = newMaster('old');
    const rows = await estate(oldMaster);
    const valuesBefore = [...rows.values()].map((r) => serializeEncryptedValue(r.value));
    const to = newMaster('new');

    const report = await rotateMasterKey({
      records: [...rows.values()],
      from: oldMaster,
      to,
      save: save(rows),
    });
    expect(report).toMatchObject({ rewrapped: 5, skipped: 0, failed: [], complete: true });
    expect([...rows.values()].every((r) => r.wrapped.masterKeyId === 'new')).toBe(true);
    expect([...rows.values()].map((r) => serializeEncryptedValue(r.value))).toEqual(valuesBefore);

    // Only the new master in the ring: everything still decrypts.
    expect(await decryptAll(rows, to)).toEqual(['value-0', 'value-1', 'value-2', 'value-3', 'value-4']);
    // And the old master alone no longer can.
    await expect(decryptAll(rows, oldMaster)).rejects.toThrow(MasterKeyError);
  });

  it('is resumable: a half-rotated estate completes on the next run, skipping what is done', async () => {
    const oldMaster = newMaster('old');
    const to = newMaster('new');
    const rows = await estate(oldMaster);
    let saves = 0;
    const crashing = async (record: Row, rewrapped: WrappedKek) => {
      if (++saves === 3) throw new Error('connection lost');
      await save(rows)(record, rewrapped);
    };
    const first = await rotateMasterKey({ records: [...rows.values()], from: oldMaster, to, save: crashing });
    expect(first).toMatchObject({ rewrapped: 2, complete: false });
    expect(first.failed).toHaveLength(1);
    // A mixed estate is readable with both masters in the ring (the state during a rotation).
    expect(await decryptAll(rows, new MasterKeyRing(to, [oldMaster]))).toHaveLength(5);

    const second = await rotateMasterKey({
      records: [...rows.values()],
      from: oldMaster,
      to,
      save: save(rows),
    });
    expect(second).toMatchObject({ rewrapped: 3, skipped: 2, failed: [], complete: true });
    expect(await decryptAll(rows, to)).toHaveLength(5);
  });

  it('continues past failures when asked and reports them; streams async records', async () => {
    const oldMaster = newMaster('old');
    const to = newMaster('new');
    const rows = await estate(oldMaster, 3);
    const tampered = rows.get('p1')!;
    rows.set('p1', { ...tampered, context: { ...tampered.context, projectId: 'p1-moved' } });
    async function* stream() {
      yield* rows.values();
    }
    const report = await rotateMasterKey({
      records: stream(),
      from: oldMaster,
      to,
      save: save(rows),
      continueOnError: true,
    });
    expect(report.rewrapped).toBe(2);
    expect(report.failed.map((f) => f.error)).toEqual([expect.any(DecryptionError)]);
  });
});
