import { join } from 'node:path';

/**
 * Node flags for the Primary's worker threads: the SWC hook the Primary runs its TypeScript with
 * (Dockerfile, npm scripts), so a thread loads `.ts` sources the same way, under Jest too.
 */
export const WORKER_EXEC_ARGV: readonly string[] = ['--require', join(__dirname, '..', '..', '..', '..', 'tools', 'register.cjs')];
