// Public surface of the bench harness. Typical bench:
//   const server = await startServerProcess('bench/harness/bare-node-server.ts');
//   try { const r = await runLoad({ url: server.url }); printResult({ bench: 'x', ...r }); }
//   finally { await server.stop(); }
import path from 'node:path';

export { startServerProcess, type ServerProcess, type ServerProcessOptions } from './server-process';
export {
  runLoad,
  runLoadWithCpu,
  durationSeconds,
  type LoadOptions,
  type LoadRequest,
  type LoadResult,
} from './load';
export { log, printResult, round } from './report';
export { cpuMs, withCpu } from './cpu';
export { announceListening, requestedPort, READY_KEY } from './protocol';
export { REPO_ROOT } from './paths';

/** Baseline servers, for benches that report "x% of bare". */
export const BARE_FASTIFY_SERVER = path.join(__dirname, 'bare-server.ts');
export const BARE_NODE_SERVER = path.join(__dirname, 'bare-node-server.ts');
export { requestJson, startBenchPrimary, type BenchPrimary } from './primary';
