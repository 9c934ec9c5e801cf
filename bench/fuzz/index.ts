// fuzz: long, seeded mutation campaigns over every libs/pki parser (the unit suite runs a few
// thousand cases per parser; this runs as many as you ask). Each input must be parsed or refused
// with a PkiError within a time bound; findings are printed with their seed, iteration and hex input.
import { fuzz, fuzzTargets } from '../../libs/pki/src/testing/fuzz';
import { log, printResult, round } from '../harness';

const BENCH = 'fuzz';

const USAGE = `Usage: npm run bench -- ${BENCH} [--cases N] [--seed S] [--target NAME] [--max-ms MS] [--help]

Mutates valid DER (OCSP request and response, certificate, CRL, CSR) N times per parser (default 50000)
from seed S (default: the time), in this process. An input that throws anything but a PkiError, or
takes longer than MS milliseconds (default 50), is a finding.

Output: progress lines, then a final JSON line:
  {"bench":"${BENCH}","seed":S,"cases":<total>,"findings":<n>,"slow":<n>,"max_ms":<slowest>,"targets":{...}}
Exit code 1 on any finding.`;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const cases = Number(option('cases') ?? 50_000);
  const seed = Number(option('seed') ?? Date.now() % 2 ** 31);
  const maxMs = Number(option('max-ms') ?? 50);
  const only = option('target');
  const targets = (await fuzzTargets()).filter((t) => !only || t.name === only);
  const donors = targets.flatMap((t) => t.seeds);
  const summary: Record<
    string,
    { cases: number; parsed: number; refused: number; max_ms: number; findings: number }
  > = {};
  let findings = 0;
  let slow = 0;
  let slowest = 0;
  for (const target of targets) {
    log(`${target.name}: ${cases} cases from seed ${seed}`);
    const stats = await fuzz(target, { seed, cases, donors, slowMs: maxMs });
    for (const finding of stats.findings) process.stderr.write(`[fuzz] ${JSON.stringify(finding)}\n`);
    findings += stats.findings.length;
    slow += stats.slow;
    slowest = Math.max(slowest, stats.maxMs);
    summary[target.name] = {
      cases: stats.cases,
      parsed: stats.parsed,
      refused: stats.refused,
      max_ms: round(stats.maxMs, 2),
      findings: stats.findings.length,
    };
  }
  const total = Object.values(summary).reduce((n, s) => n + s.cases, 0);
  printResult({
    bench: BENCH,
    seed,
    cases: total,
    findings,
    slow,
    max_ms: round(slowest, 2),
    bound_ms: maxMs,
    targets: summary,
  });
  return findings > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
