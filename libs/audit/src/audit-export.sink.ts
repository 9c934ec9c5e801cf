import { open } from 'node:fs/promises';

/**
 * The audit export: an append-only JSONL file outside the database (ship it to WORM storage or a
 * SIEM). Each line is flushed to disk before the write resolves, so a checkpoint that was logged as
 * written survives a crash.
 */
export class AuditExportSink {
  constructor(private readonly path: string) {}

  async append(record: Record<string, unknown>): Promise<void> {
    const file = await open(this.path, 'a', 0o600);
    try {
      await file.appendFile(JSON.stringify(record) + '\n');
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}
