import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Runs apps/ocsp-responder as a child process for the dev platform (one app never imports
 * another: each stays its own deployable). Resolves with its URL once it prints `{"listening":port}`.
 */
export function startOcspResponder(env: Record<string, string | undefined>, port: number): Promise<{ url: string; stop(): void }> {
  const root = join(__dirname, '..', '..', '..', '..');
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/ocsp-responder/src/main.ts'], {
    cwd: root,
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OCSP responder did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the OCSP responder exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const listening = /"listening":(\d+)/.exec(line);
      if (!listening) return;
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${listening[1]}`, stop: () => child.kill('SIGTERM') });
    });
  });
}
