#!/usr/bin/env node
// `npm run bench -- <name> [args...]` runs bench/<name>/index.ts through the SWC register hook (same as
// `npm start`), forwarding the extra args and exiting with the bench's exit code. Plain CJS so the
// launcher itself needs no compilation and starts instantly.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const benchDir = path.join(root, 'bench');

// bench/harness is shared library code, not a bench, even though it has an index.ts.
const NOT_BENCHES = new Set(['harness']);

/** A bench is any directory under bench/ with an index.ts (minus the harness and _private dirs). */
function listBenches() {
  if (!fs.existsSync(benchDir)) return [];
  return fs
    .readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_BENCHES.has(d.name) && !/^[._]/.test(d.name))
    .filter((d) => fs.existsSync(path.join(benchDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

function usage() {
  const benches = listBenches();
  return [
    'Usage: npm run bench -- <name> [args...]',
    '       npm run bench -- <name> --help     (bench-specific usage)',
    '',
    'Runs bench/<name>/index.ts with `node -r ./tools/register.cjs`. The last stdout line is one JSON object.',
    '',
    'Available benches:',
    ...(benches.length ? benches.map((b) => `  ${b}`) : ['  (none)']),
    '',
    'Env: BENCH_DURATION_S (measured seconds, default 10), BENCH_WARMUP_S. See bench/README.md.',
  ].join('\n');
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.log(usage());
  process.exit(0);
}
if (!listBenches().includes(name)) {
  console.error(`Unknown bench "${name}".\n\n${usage()}`);
  process.exit(2);
}

const child = spawn(
  process.execPath,
  ['-r', path.join(root, 'tools', 'register.cjs'), path.join(benchDir, name, 'index.ts'), ...args],
  { cwd: root, stdio: 'inherit' },
);
// Ctrl-C reaches the whole foreground process group, so the bench gets it directly and cleans up its own
// children; we just wait for it instead of dying first and orphaning it. SIGTERM (sent to us alone) is
// relayed.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('error', (err) => {
  console.error(`failed to start bench "${name}": ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? require('node:os').constants.signals[signal] : 1));
});
