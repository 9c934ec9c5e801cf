/**
 * Verifies the audit log's chain: `npm run audit:verify [-- --checkpoint <json|file>]`.
 * Reads DATABASE_URL and the master key (MASTER_KEY_PROVIDER, MASTER_KEY..., MASTER_KEY_PREVIOUS for
 * rows linked before a master-key rotation) from the environment, as the Primary does.
 * Exits 0 when every sealed event verifies, 1 at the first break (printed: where and what), 2 on bad usage.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { ConfigValidationError } from '@mazevault/platform';
import { type AuditCheckpoint, AuditKeys, parseCheckpoint, verifyStoredChain } from '@mazevault/audit';
import { type CliMasterKeyConfig, loadCliMasterKeyConfig } from '../config/cli.config';
import { createMasterKeyRing } from '../secrets/master-key.factory';
import type { DataSource } from 'typeorm';
import { embeddedDatabaseHint, isEmbeddedDevDatabase } from './embedded-database.hint';

/** The same check over HTTP, on a running Primary (AuditController). */
const VERIFY_PATH = '/api/v1/audit/verify';

const USAGE = `Usage: npm run audit:verify [-- --checkpoint <json|file>]

Checks every sealed audit event against its keyed link, that the newest event is the stored chain
head, and — with --checkpoint — that the chain still holds the state a signed checkpoint recorded
(catches rows cut from the end with the head moved back). The checkpoint is the JSON the Primary
logged ("auditCheckpoint") or wrote to AUDIT_EXPORT_PATH; given a JSONL export file, its last
checkpoint is used. Reads DATABASE_URL and the master key settings (MASTER_KEY_PREVIOUS too).
Against \`npm start\`'s embedded database, which admits no CLI, use GET ${VERIFY_PATH} instead.`;

/** The checkpoint argument: inline JSON, or a file (a JSON object, or JSONL whose last checkpoint line is taken). */
export function readCheckpointArgument(argument: string): AuditCheckpoint {
  const text = argument.trimStart().startsWith('{') ? argument : readFileSync(argument, 'utf8');
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length <= 1) return parseCheckpoint(text);
  for (const line of lines.reverse()) {
    try {
      return parseCheckpoint(line);
    } catch {
      // not a checkpoint line; an export may carry other records
    }
  }
  throw new Error('no checkpoint line in the file');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let checkpoint: AuditCheckpoint | undefined;
  const at = args.indexOf('--checkpoint');
  if (at >= 0) {
    const value = args[at + 1];
    if (!value) {
      process.stderr.write('--checkpoint needs a value (JSON or a file)\n');
      return 2;
    }
    try {
      checkpoint = readCheckpointArgument(value);
    } catch (error) {
      process.stderr.write(
        `--checkpoint: not a valid checkpoint (${error instanceof Error ? error.message.split('\n')[0] : String(error)})\n`,
      );
      return 2;
    }
  }
  let config: CliMasterKeyConfig;
  try {
    config = loadCliMasterKeyConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      if (!process.env.DATABASE_URL) process.stderr.write(`\n${embeddedDatabaseHint(VERIFY_PATH)}\n`);
      return 2;
    }
    throw error;
  }
  const keys = new AuditKeys(createMasterKeyRing(config));
  let dataSource: DataSource;
  try {
    dataSource = await createPrimaryDataSource({ url: config.DATABASE_URL }).initialize();
  } catch (error) {
    if (!isEmbeddedDevDatabase(config.DATABASE_URL)) throw error;
    process.stderr.write(
      `audit:verify cannot connect to ${config.DATABASE_URL}.\n${embeddedDatabaseHint(VERIFY_PATH)}\n`,
    );
    return 2;
  }
  try {
    const result = await verifyStoredChain(dataSource, keys, checkpoint);
    const scheme = result.unkeyed ? ` (${result.unkeyed} of them under the old unkeyed scheme)` : '';
    if (result.ok) {
      const against = result.checkpoint
        ? `; matches the checkpoint of ${result.checkpoint.at} (${result.checkpoint.count} links, row ${result.checkpoint.lastId})`
        : '';
      process.stdout.write(
        `audit chain OK: ${result.verified} sealed events verified${scheme}, newest is the head${against}\n`,
      );
      return 0;
    }
    const broken = result.brokenAt!;
    const where = broken.id
      ? ` at event ${broken.id}${broken.position ? ` (link ${broken.position})` : ''}`
      : '';
    process.stdout.write(
      `audit chain BROKEN${where}: ${broken.problem}: ${broken.detail}; ${result.verified} links verified before it${scheme}\n`,
    );
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
