/**
 * Verifies the audit log's hash chain: `npm run audit:verify` (DATABASE_URL from the environment).
 * Exits 0 when every sealed event verifies, 1 at the first broken link (printed).
 */
import 'reflect-metadata';
import { AuditEventEntity, createPrimaryDataSource } from '@mazevault/persistence';
import { IsNull, Not } from 'typeorm';
import { verifyAuditChain } from '../audit/audit-chain';

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('Usage: npm run audit:verify\n\nChecks every sealed audit event against the hash chain (reads DATABASE_URL).\n');
    return 0;
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is required\n');
    return 2;
  }
  const dataSource = await createPrimaryDataSource({ url }).initialize();
  try {
    const rows = await dataSource.getRepository(AuditEventEntity).find({ where: { hash: Not(IsNull()) }, order: { id: 'ASC' } });
    const result = verifyAuditChain(rows);
    if (result.ok) {
      process.stdout.write(`audit chain OK: ${result.verified} sealed events verified\n`);
      return 0;
    }
    process.stdout.write(`audit chain BROKEN at event ${result.brokenAt?.id} (${result.brokenAt?.problem}); ${result.verified} events verified before it\n`);
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
