// Every child process the harness spawns (servers, load generators) is registered here so it is killed
// whatever way the bench ends: normal exit, thrown error, Ctrl-C. A leaked server would keep a port and a
// CPU busy and silently skew the next run on a 2-core box.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) hook();
}

function killAll(): void {
  // 'exit' handlers must be synchronous, so no graceful shutdown here: SIGKILL is the only guarantee.
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function hook(): void {
  hooked = true;
  process.once('exit', killAll);
  // Installing a signal handler disables Node's default "exit on signal", so exit explicitly
  // (128 + signal number, the shell convention) after cleaning up.
  process.once('SIGINT', () => {
    killAll();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    killAll();
    process.exit(143);
  });
}
