import { Logger } from '@nestjs/common';
import { chainHash, EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type AuditCheckpoint,
  AuditKeys,
  type HashedAuditFields,
  hashedContent,
  verifyStoredChain,
} from '@mazevault/audit';
import { AuditCheckpointService } from '../src/audit/audit-checkpoint.service';
import { AuditSealerService } from '../src/audit/audit-sealer.service';
import { AuditService } from '../src/audit/audit.service';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

const REPO = join(__dirname, '..', '..', '..');

/** `npm run audit:verify` as an operator runs it: a separate process, DATABASE_URL and the master key from the environment. */
async function auditVerify(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['-r', './tools/register.cjs', 'apps/api-primary/src/cli/audit-verify.cli.ts', ...args],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH, ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('audit chain: keyed links, head, checkpoints (real PostgreSQL)', () => {
  let primary: PrimaryTestApp;
  let adminToken: string;
  let exportPath: string;
  let cliEnv: Record<string, string>;
  const now = { value: new Date('2026-12-06T10:00:00.000Z') };

  beforeAll(async () => {
    exportPath = join(mkdtempSync(join(tmpdir(), 'mv-audit-')), 'audit-export.jsonl');
    primary = await startPrimary('audit_chain', {
      AUDIT_EXPORT_PATH: exportPath,
      AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    });
    adminToken = await login(primary.baseUrl, primary.admin.email, primary.admin.password);
    cliEnv = { DATABASE_URL: primary.config.DATABASE_URL, MASTER_KEY: primary.config.MASTER_KEY! };
    for (let n = 0; n < 6; n++) await record(`test.event.${n}`);
  });
  afterAll(() => primary?.close());

  const db = () => primary.dataSource;
  const record = (action: string, extra: Partial<Parameters<AuditService['record']>[0]> = {}) =>
    primary.app
      .get(AuditService)
      .record({ actorType: 'system', action, resourceType: 'test', outcome: 'success', ...extra });
  const checkpoints = () =>
    new AuditCheckpointService(db(), primary.config, primary.app.get(AuditKeys), { now: () => now.value });
  const verifyApi = async () =>
    (await call(primary.baseUrl, 'GET', '/api/v1/audit/verify', { token: adminToken })).body;
  const sealed = (): Promise<(HashedAuditFields & { prevHash: string; hash: string })[]> =>
    db().query(
      `SELECT id::text AS id, occurred_at AS "occurredAt", organization_id AS "organizationId", actor_type AS "actorType", actor_id AS "actorId",
              action, resource_type AS "resourceType", resource_ref AS "resourceRef", outcome, request_id AS "requestId", details,
              key_id AS "keyId", prev_hash AS "prevHash", hash
         FROM audit_events WHERE hash IS NOT NULL`,
    );
  /** Rows in chain order. */
  const chainOrder = async () => {
    const rows = await sealed();
    const next = new Map(rows.map((row) => [row.prevHash, row]));
    const ordered = [];
    for (let row = next.get('0'.repeat(64)); row; row = next.get(row.hash)) ordered.push(row);
    return ordered;
  };

  /** Tampers as an owner of the database would (trigger off), checks, then puts the table back as it was. */
  async function tampered(tamper: () => Promise<void>, check: () => Promise<void>): Promise<void> {
    const saved = await db().query('SELECT * FROM audit_events ORDER BY id');
    const [{ hash: head }] = await db().query('SELECT hash FROM audit_chain_head');
    await db().query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    try {
      await tamper();
      await check();
    } finally {
      await db().query('DELETE FROM audit_events');
      await db().query(
        'INSERT INTO audit_events SELECT * FROM jsonb_populate_recordset(NULL::audit_events, $1::jsonb)',
        [JSON.stringify(saved)],
      );
      await db().query('UPDATE audit_chain_head SET hash = $1', [head]);
      await db().query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    }
    expect(await verifyApi()).toMatchObject({ ok: true });
  }

  it('links every row under a key derived from the master key (its fingerprint stored, never the key) and verifies, head included', async () => {
    const rows = await sealed();
    const { id: keyId } = await primary.app.get(AuditKeys).active();
    expect(keyId).toMatch(/^ak1:[0-9a-f]{16}$/);
    expect(rows.length).toBeGreaterThan(6);
    expect(rows.every((row) => row.keyId === keyId)).toBe(true);
    // Not the unkeyed scheme: anyone could recompute that.
    expect(rows.some((row) => row.hash === chainHash(row.prevHash, hashedContent(row)))).toBe(false);
    const dump =
      JSON.stringify(await db().query('SELECT * FROM audit_events')) +
      JSON.stringify(await db().query('SELECT * FROM audit_chain_head'));
    const masterKey = Buffer.from(primary.config.MASTER_KEY!, 'base64');
    expect(dump).not.toContain(masterKey.toString('hex'));
    const result = await verifyApi();
    expect(result).toMatchObject({ ok: true, verified: rows.length, unkeyed: 0 });
    expect(result.tip).toBe(result.head);
    expect(await auditVerify(cliEnv)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/audit chain OK: \d+ sealed events verified, newest is the head/),
    });
  });

  it('writes signed checkpoints to the log and the audit export', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log');
    try {
      const checkpoint = await checkpoints().checkpoint();
      const [{ hash: head }] = await db().query('SELECT hash FROM audit_chain_head');
      const count = (await sealed()).length;
      expect(checkpoint).toMatchObject({
        v: 1,
        head,
        count,
        at: now.value.toISOString(),
        keyId: (await primary.app.get(AuditKeys).active()).id,
      });
      expect(checkpoint.lastId).toBe((await chainOrder()).at(-1)!.id);
      expect(logged).toHaveBeenCalledWith({ auditCheckpoint: checkpoint }, 'audit checkpoint');
      const lines = readFileSync(exportPath, 'utf8').trim().split('\n');
      expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'audit.checkpoint', checkpoint });
      expect(await primary.app.get(AuditSealerService).verify(checkpoint)).toMatchObject({
        ok: true,
        checkpoint: { count },
      });
    } finally {
      logged.mockRestore();
    }
  });

  it('catches the newest rows cut and the head moved back: the database alone cannot, the checkpoint (API and CLI) does', async () => {
    const checkpoint = await checkpoints().checkpoint();
    await tampered(
      async () => {
        const ordered = await chainOrder();
        const kept = ordered.at(-4)!;
        await db().query(`DELETE FROM audit_events WHERE id = ANY($1::bigint[])`, [
          ordered.slice(-3).map((row) => row.id),
        ]);
        await db().query('UPDATE audit_chain_head SET hash = $1', [kept.hash]);
      },
      async () => {
        expect(await primary.app.get(AuditSealerService).verify(checkpoint)).toMatchObject({
          ok: false,
          brokenAt: {
            problem: 'checkpoint_mismatch',
            detail: expect.stringMatching(
              new RegExp(
                `recorded ${checkpoint.count} \\(up to row ${checkpoint.lastId}\\): rows at the end were removed`,
              ),
            ),
          },
        });
        // The export file as it is (its last checkpoint), and the logged JSON inline.
        for (const argument of [exportPath, JSON.stringify(checkpoint)]) {
          const cli = await auditVerify(cliEnv, '--checkpoint', argument);
          expect(cli).toMatchObject({
            code: 1,
            out: expect.stringMatching(
              /audit chain BROKEN: checkpoint_mismatch: the chain has \d+ links, but the checkpoint/,
            ),
          });
        }
        // A forged checkpoint (matching the cut chain) does not verify.
        const forged: AuditCheckpoint = {
          ...checkpoint,
          count: checkpoint.count - 3,
          head: (await chainOrder()).at(-1)!.hash,
        };
        expect(await primary.app.get(AuditSealerService).verify(forged)).toMatchObject({
          ok: false,
          brokenAt: { problem: 'checkpoint_invalid' },
        });
      },
    );
  });

  it('catches the newest rows cut without moving the head back', async () => {
    await tampered(
      async () => {
        const ordered = await chainOrder();
        await db().query(`DELETE FROM audit_events WHERE id = $1`, [ordered.at(-1)!.id]);
      },
      async () => {
        expect(await verifyApi()).toMatchObject({
          ok: false,
          brokenAt: { problem: 'head_mismatch', detail: expect.stringMatching(/holds a hash no row has/) },
        });
        expect(await auditVerify(cliEnv)).toMatchObject({
          code: 1,
          out: expect.stringMatching(/BROKEN: head_mismatch/),
        });
      },
    );
  });

  it('catches a row edited and the chain recomputed (the tamperer has no key), naming the row', async () => {
    for (const downgrade of [false, true]) {
      let victim = '';
      await tampered(
        async () => {
          const ordered = await chainOrder();
          const from = 3;
          victim = ordered[from]!.id;
          await db().query(`UPDATE audit_events SET action = 'test.forged' WHERE id = $1`, [victim]);
          // Recompute every later link the only way one can without the key: SHA-256 (as the old scheme),
          // claiming the same key id, or none (posing as old-scheme rows).
          let previous = ordered[from - 1]!.hash;
          for (const row of ordered.slice(from)) {
            const [current] = (await sealed()).filter((r) => r.id === row.id);
            const keyId = downgrade ? null : current!.keyId;
            const hash = chainHash(previous, hashedContent({ ...current!, keyId }));
            await db().query('UPDATE audit_events SET prev_hash = $2, hash = $3, key_id = $4 WHERE id = $1', [
              row.id,
              previous,
              hash,
              keyId,
            ]);
            previous = hash;
          }
          await db().query('UPDATE audit_chain_head SET hash = $1', [previous]);
        },
        async () => {
          const problem = downgrade ? 'unkeyed_after_keyed' : 'hash_mismatch';
          expect(await verifyApi()).toMatchObject({
            ok: false,
            verified: 3,
            brokenAt: { id: victim, position: 4, problem },
          });
          expect(await auditVerify(cliEnv)).toMatchObject({
            code: 1,
            out: expect.stringContaining(`BROKEN at event ${victim} (link 4): ${problem}`),
          });
        },
      );
    }
  });

  it('catches a row deleted in the middle, naming the row cut off', async () => {
    await tampered(
      async () => {
        const ordered = await chainOrder();
        await db().query(`DELETE FROM audit_events WHERE id = $1`, [ordered[2]!.id]);
      },
      async () => {
        const ordered = await sealed();
        const result = await verifyApi();
        expect(result).toMatchObject({ ok: false, verified: 2, brokenAt: { problem: 'missing_link' } });
        expect(ordered.find((row) => row.id === result.brokenAt.id)).toBeDefined();
        expect(await auditVerify(cliEnv)).toMatchObject({
          code: 1,
          out: expect.stringMatching(
            /BROKEN at event \d+: missing_link: .*the row\(s\) before it were removed/,
          ),
        });
      },
    );
  });

  it('keeps rows verifiable across a master-key rotation while the ring holds the previous key', async () => {
    const previous = primary.config.MASTER_KEY!;
    const next = randomBytes(32).toString('base64');
    const rotated = new AuditKeys(
      new MasterKeyRing(new EnvMasterKeyProvider({ value: next, variableName: 'MASTER_KEY' }), [
        new EnvMasterKeyProvider({ value: previous, variableName: 'MASTER_KEY_PREVIOUS' }),
      ]),
    );
    // The Primary restarted with the new key: new rows link under the new key's audit key.
    const writer = new AuditService(db(), primary.config, rotated);
    await writer.record({
      actorType: 'system',
      action: 'test.after-rotation',
      resourceType: 'test',
      outcome: 'success',
    });
    const keyIds = new Set((await sealed()).map((row) => row.keyId));
    expect(keyIds.size).toBe(2);
    expect(await verifyStoredChain(db(), rotated)).toMatchObject({ ok: true });
    expect(await auditVerify({ ...cliEnv, MASTER_KEY: next, MASTER_KEY_PREVIOUS: previous })).toMatchObject({
      code: 0,
    });
    // Without the previous key, its rows cannot be vouched for, and verification says which and why.
    const newOnly = new AuditKeys(new MasterKeyRing(new EnvMasterKeyProvider({ value: next })));
    expect(await verifyStoredChain(db(), newOnly)).toMatchObject({
      ok: false,
      verified: 0,
      brokenAt: { problem: 'key_unavailable', position: 1 },
    });
    // The rows the rotated key linked are the newest: the Primary's own ring (previous key only) lacks that one.
    expect(await verifyApi()).toMatchObject({ ok: false, brokenAt: { problem: 'key_unavailable' } });
    await db().query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    const [{ prev_hash: back }] = await db().query(
      `SELECT prev_hash FROM audit_events WHERE action = 'test.after-rotation'`,
    );
    await db().query(`DELETE FROM audit_events WHERE action = 'test.after-rotation'`);
    await db().query('UPDATE audit_chain_head SET hash = $1', [back]);
    await db().query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    expect(await verifyApi()).toMatchObject({ ok: true });
  });
});
