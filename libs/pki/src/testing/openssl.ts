import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for assertions on messages openssl prints to either. */
  output: string;
}

/** Run the real openssl CLI (the independent implementation our encodings are checked against). */
export function openssl(args: string[], input?: Uint8Array | string): OpensslResult {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { status: result.status ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** A scratch directory under os.tmpdir(); call `cleanup()` in afterAll. */
export function scratchDir(prefix = 'mazevault-pki-'): {
  path: string;
  write(name: string, data: Uint8Array | string): string;
  cleanup(): void;
} {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, data) {
      const file = join(path, name);
      writeFileSync(file, data);
      return file;
    },
    cleanup() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
