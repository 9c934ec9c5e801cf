// Output convention shared by all benches: human-readable lines first, and the LAST line of stdout is
// exactly one JSON object, so CI and comparison scripts can do `npm run bench -- x | tail -n 1`.
// Anything else (child output, autocannon chatter) goes to stderr.

/** Progress line for humans. */
export function log(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}

/** Rounds to `digits` decimals; keeps JSON stable and diff-friendly (no 12345.678901 noise). */
export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Prints a short human summary of `result`, then the result itself as the final JSON line. */
export function printResult(result: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  for (const [key, value] of Object.entries(result)) {
    process.stdout.write(
      `  ${key.padEnd(width)}  ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
