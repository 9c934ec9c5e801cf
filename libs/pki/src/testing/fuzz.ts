import { parseCertificate } from '../certificate';
import { CertificateAuthority } from '../certificate-authority';
import { buildCrl, parseCrl } from '../certificate-revocation-list';
import { createCsr, parseCsr } from '../certification-request';
import { certIdFor, decodeOcspRequest } from '../ocsp-request';
import { buildOcspResponse, caAsOcspResponder, parseOcspResponse } from '../ocsp-response';
import { derExtension, derTlv, DER_OCTET_STRING, DER_SEQUENCE } from '../der-writer';
import { isPkiError } from '../pki-error';
import { FakeClock } from './fake-clock';
import { testHierarchy } from './fixtures';
import { testSigner } from './test-keys';

// A seeded, dependency-free DER mutation fuzzer shared by the unit suite (a few thousand cases per
// parser, fast enough for CI) and `npm run bench -- fuzz` (long campaigns with a time bound per input).

/** mulberry32: a tiny seeded PRNG, so a failing case is reproduced from its seed alone. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One structure-aware mutation of `input`: byte and bit flips, truncation, insertion, duplicated slices, length lies, splices. */
export function mutate(
  input: Uint8Array,
  random: () => number,
  donors: readonly Uint8Array[] = [],
): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const bytes = Buffer.from(input);
  const at = pick(bytes.length);
  switch (pick(9)) {
    case 0:
      bytes[at] = pick(256);
      return bytes;
    case 1:
      for (let i = 1 + pick(8); i > 0; i--) bytes[pick(bytes.length)]! ^= 1 << pick(8);
      return bytes;
    case 2:
      return bytes.subarray(0, at);
    case 3: {
      const noise = Buffer.from(Array.from({ length: 1 + pick(16) }, () => pick(256)));
      return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
    }
    case 4: {
      // repeat a slice (duplicate elements: extensions, CertIDs, entries)
      const end = Math.min(bytes.length, at + 1 + pick(64));
      const slice = bytes.subarray(at, end);
      return Buffer.concat([
        bytes.subarray(0, end),
        ...Array.from({ length: 1 + pick(40) }, () => slice),
        bytes.subarray(end),
      ]);
    }
    case 5: {
      // a length octet that lies (long forms, 0x80 indefinite, off by one)
      const choices = [0x80, 0x81, 0x84, 0xff, 0x00, bytes[at]! + 1, bytes[at]! - 1];
      bytes[at] = choices[pick(choices.length)]! & 0xff;
      return bytes;
    }
    case 6: {
      // interesting values: tags of times, integers with padding, negative
      const values = [0x18, 0x17, 0x02, 0x00, 0xff, 0x80, 0x30, 0x31, 0xa0, 0xa3, 0x05, 0x06];
      bytes[at] = values[pick(values.length)]!;
      return bytes;
    }
    case 7: {
      if (donors.length === 0) return bytes.subarray(0, at);
      const donor = donors[pick(donors.length)]!;
      const from = pick(donor.length);
      return Buffer.concat([
        bytes.subarray(0, at),
        donor.subarray(from, from + 1 + pick(128)),
        bytes.subarray(at + pick(32)),
      ]);
    }
    default: {
      // wrap in SEQUENCEs (nesting)
      let out: Uint8Array = bytes;
      for (let i = 1 + pick(40); i > 0; i--) out = derTlv(DER_SEQUENCE, [out]);
      return out;
    }
  }
}

export interface FuzzTarget {
  name: string;
  seeds: Uint8Array[];
  /** Resolves when the input was parsed; throws what the parser threw. */
  parse(input: Uint8Array): Promise<unknown> | unknown;
}

/** Valid inputs of every parser, made by our own builders, as mutation seeds. */
export async function fuzzTargets(): Promise<FuzzTarget[]> {
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const { root, intermediate } = await testHierarchy(clock, { label: 'fuzz' });
  const ca: CertificateAuthority = intermediate;
  const certId = await certIdFor(ca.certificate, '685b3c0de1');
  const nonce = derExtension(
    '1.3.6.1.5.5.7.48.1.2',
    false,
    derTlv(DER_OCTET_STRING, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)]),
  );
  const ocspRequest = derTlv(DER_SEQUENCE, [
    derTlv(DER_SEQUENCE, [
      derTlv(DER_SEQUENCE, [derTlv(DER_SEQUENCE, [certId.der])]),
      derTlv(0xa2, [derTlv(DER_SEQUENCE, [nonce])]),
    ]),
  ]);
  const responder = caAsOcspResponder(ca);
  const ocspResponse = await buildOcspResponse({
    responder,
    clock,
    validitySeconds: 3600,
    responses: [{ certId, status: { status: 'good' } }],
  });
  const crl = await buildCrl({
    ca,
    clock,
    crlNumber: 7n,
    nextUpdateSeconds: 86400,
    entries: [
      { serialNumber: '0a1b', revokedAt: clock.now(), reason: 'keyCompromise' },
      { serialNumber: '0c', revokedAt: clock.now() },
    ],
  });
  const csr = await createCsr({
    signer: await testSigner('ecdsa-p256', 'fuzz-csr'),
    subject: { commonName: 'fuzz.example.com' },
    altNames: { dns: ['fuzz.example.com'] },
  });
  return [
    {
      name: 'ocsp-request',
      seeds: [ocspRequest],
      parse: async (input) => {
        const request = decodeOcspRequest(input); // a PkiError here is what parseOcspRequest turns into malformedRequest
        // What the reader accepts must be answerable: the responder echoes every CertID (and the
        // nonce) into a signed response, so a failure there is a finding, not a refusal.
        try {
          await buildOcspResponse({
            responder,
            clock,
            validitySeconds: 3600,
            ...(request.nonce && { nonce: request.nonce }),
            responses: request.certIds.map((id) => ({ certId: id, status: { status: 'good' as const } })),
          });
        } catch (error) {
          throw new Error(`accepted but not answerable: ${String(error)}`);
        }
        return request;
      },
    },
    { name: 'certificate', seeds: [ca.der, root.der], parse: (input) => parseCertificate(input) },
    { name: 'crl', seeds: [crl.der], parse: (input) => parseCrl(input) },
    { name: 'ocsp-response', seeds: [ocspResponse], parse: (input) => parseOcspResponse(input) },
    { name: 'csr', seeds: [csr.der], parse: (input) => parseCsr(input) },
  ];
}

export interface FuzzFinding {
  target: string;
  seed: number;
  iteration: number;
  input: string;
  error: string;
}

export interface FuzzStats {
  target: string;
  cases: number;
  parsed: number;
  refused: number;
  /** Slowest single input, in ms. */
  maxMs: number;
  /** Inputs over `slowMs` (each also a finding): a bound on the work one hostile input can cause. */
  slow: number;
  findings: FuzzFinding[];
}

/**
 * `cases` mutations of the target's seeds (each mutation stacks 1..4 mutations), each either parsed or
 * refused with a PkiError; anything else is a finding. Time is a finding only with `slowMs` (the bench,
 * never the unit suite: timed assertions are flaky on a shared machine).
 */
export async function fuzz(
  target: FuzzTarget,
  options: { seed: number; cases: number; donors?: readonly Uint8Array[]; slowMs?: number },
): Promise<FuzzStats> {
  const random = seededRandom(options.seed);
  const stats: FuzzStats = {
    target: target.name,
    cases: 0,
    parsed: 0,
    refused: 0,
    maxMs: 0,
    slow: 0,
    findings: [],
  };
  const record = (finding: FuzzFinding) => {
    if (stats.findings.length < 20) stats.findings.push(finding);
  };
  for (let i = 0; i < options.cases; i++) {
    let input = target.seeds[Math.floor(random() * target.seeds.length)]!;
    for (let n = 1 + Math.floor(random() * 4); n > 0; n--) input = mutate(input, random, options.donors);
    const started = performance.now();
    try {
      await target.parse(input);
      stats.parsed++;
    } catch (error) {
      if (isPkiError(error)) stats.refused++;
      else
        record({
          target: target.name,
          seed: options.seed,
          iteration: i,
          input: Buffer.from(input).toString('hex'),
          error: String(error),
        });
    }
    let elapsed = performance.now() - started;
    if (options.slowMs !== undefined && elapsed > options.slowMs) {
      // A GC pause or a neighbour's burst on a shared machine is not the input's cost: keep the best of three.
      for (let retry = 0; retry < 3 && elapsed > options.slowMs; retry++) {
        const again = performance.now();
        await Promise.resolve(target.parse(input)).catch(() => undefined);
        elapsed = Math.min(elapsed, performance.now() - again);
      }
    }
    stats.maxMs = Math.max(stats.maxMs, elapsed);
    if (options.slowMs !== undefined && elapsed > options.slowMs) {
      stats.slow++;
      record({
        target: target.name,
        seed: options.seed,
        iteration: i,
        input: Buffer.from(input).toString('hex'),
        error: `took ${elapsed.toFixed(1)} ms`,
      });
    }
    stats.cases++;
  }
  return stats;
}
