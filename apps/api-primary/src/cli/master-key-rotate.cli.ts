/**
 * Master-key rotation: rewraps every project key-encryption key, then every private key at rest (CA
 * and OCSP signer keys, the platform CA and its listener key, the gateway E2EE keys), under the new
 * master key, without touching a single secret value. Resumable: run it again after an interruption.
 *
 *   MASTER_KEY=<new base64> MASTER_KEY_PREVIOUS=<old base64> DATABASE_URL=... npm run master-key:rotate
 *
 * Then restart the Primary with the new MASTER_KEY (MASTER_KEY_PREVIOUS may stay until this reports
 * nothing remaining).
 */
import 'reflect-metadata';
import { createPrimaryDataSource } from '@mazevault/persistence';
import { ConfigValidationError } from '@mazevault/platform';
import { loadCliMasterKeyConfig } from '../config/cli.config';
import { createMasterKeyRing } from '../secrets/master-key.factory';
import { rotateProjectKeks, rotateSealedKeys } from '../secrets/master-key-rotation.service';

const USAGE = `Usage: MASTER_KEY=<new> MASTER_KEY_PREVIOUS=<old> DATABASE_URL=<url> npm run master-key:rotate [-- --batch <n>]

Rewraps project key-encryption keys, then every sealed private key (CAs, OCSP signers, the platform CA
and its listener, the gateway E2EE keys), from the previous master key to the new one, in batches
(default 500), printing progress. Secret values are not touched. Safe to interrupt and re-run; run it
again after restarting the Primary on the new key (a key it renewed meanwhile is picked up then).
MASTER_KEY_PROVIDER=file|azure-keyvault select the new key's source as for the Primary.`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const batchIndex = process.argv.indexOf('--batch');
  const batch = batchIndex >= 0 ? Number(process.argv[batchIndex + 1]) : 500;
  if (!Number.isInteger(batch) || batch < 1) {
    process.stderr.write('--batch must be a positive integer\n');
    return 2;
  }
  const config = loadCliMasterKeyConfig();
  const ring = createMasterKeyRing(config);
  const dataSource = await createPrimaryDataSource({ url: config.DATABASE_URL }).initialize();
  try {
    let total = 0;
    for (;;) {
      const progress = await rotateProjectKeks(dataSource, ring, { limit: batch });
      total += progress.rewrapped;
      process.stdout.write(
        `rewrapped ${total} key(s); ${progress.remaining} remaining${progress.failed ? `; ${progress.failed} failed in this batch` : ''}\n`,
      );
      if (progress.remaining === 0) break;
      if (progress.rewrapped === 0) {
        process.stderr.write(
          'no progress: the remaining keys are wrapped by a master key not in the ring (set MASTER_KEY_PREVIOUS)\n',
        );
        return 1;
      }
    }
    let sealed = 0;
    for (;;) {
      const progress = await rotateSealedKeys(dataSource, ring, { limit: batch });
      sealed += progress.rewrapped;
      process.stdout.write(
        `rewrapped ${sealed} sealed private key(s); ${progress.remaining} remaining${progress.failed ? `; ${progress.failed} failed in this batch` : ''}\n`,
      );
      if (progress.remaining === 0) break;
      if (progress.rewrapped === 0) {
        process.stderr.write(
          'no progress: the remaining private keys are sealed by a master key not in the ring (set MASTER_KEY_PREVIOUS)\n',
        );
        return 1;
      }
    }
    process.stdout.write(
      `done: every project key and sealed private key is wrapped by ${ring.active.id}; keep the previous key in escrow only for old audit rows\n`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigValidationError
        ? `${error.message}\n`
        : `master-key:rotate failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
