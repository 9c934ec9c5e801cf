import { fuzz, FuzzTarget, fuzzTargets } from './testing/fuzz';

// Seeded: the same mutations on every run (change FUZZ_SEED to explore; `npm run bench -- fuzz` runs
// long campaigns and bounds the time per input). Each mutated input is parsed or refused with a
// PkiError — a plain Error or TypeError escaping a parser is a finding, printed with its hex input.
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261206);
const CASES = 2500;

let targets: FuzzTarget[];
beforeAll(async () => {
  targets = await fuzzTargets();
});

describe('parser fuzzing: every input is parsed or refused with a PkiError', () => {
  it.each(['ocsp-request', 'certificate', 'crl', 'ocsp-response', 'csr'])(
    '%s',
    async (name) => {
      const target = targets.find((t) => t.name === name)!;
      const donors = targets.flatMap((t) => t.seeds);
      const stats = await fuzz(target, { seed: SEED, cases: CASES, donors });
      expect(stats.findings).toEqual([]);
      expect(stats.cases).toBe(CASES);
      expect(stats.refused).toBeGreaterThan(0); // the mutations do reach the refusal paths
    },
    120_000,
  );
});
