import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');

/** The real openssl CLI judges what we serve (an implementation independent of ours). */
export function openssl(args: string[], input?: string): { status: number; output: string } {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status ?? -1, output: `${result.stdout ?? ''}\n${result.stderr ?? ''}` };
}

/** The OCSP responder as a real, separate process (its own main.ts, config from the environment). */
export async function startResponder(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/ocsp-responder/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`responder did not start: ${stderr}`)), 30_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /\{"listening":(\d+)\}/.exec(out);
      if (match) {
        clearTimeout(timer);
        ok(Number(match[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`responder exited ${code}: ${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}
