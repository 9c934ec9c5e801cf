// e2ee: what end-to-end encryption costs per gateway message. One sealed round (the sender signs
// and encrypts, the recipient decrypts and verifies: what every heartbeat, poll and result pays on
// each side) against its irreducible part measured in the same process: one raw ES256 sign plus one
// verify with node:crypto over the same bytes. Sizes: a heartbeat, and a 64 KiB sync delivery.
import { generateE2eeKeys, openMessage, ReplayGuard, sealMessage } from '../../libs/crypto/src';
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { log, printResult, round } from '../harness';

const BENCH = 'e2ee';
const USAGE = `Usage: npm run bench -- ${BENCH} [--seconds S] [--help]

Seals and opens gateway messages (JWS in JWE, jose) for S seconds per size (default 3), and signs and
verifies the same bytes with raw ES256 for as long. Final JSON line:
  {"bench":"${BENCH}","heartbeat_us":..,"heartbeat_raw_us":..,"heartbeat_vs_raw":..,"sync64k_us":..,...}
vs_raw = raw time / sealed time (1 would mean E2EE costs nothing beyond one signature).`;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** Mean microseconds per call of `fn`, run back to back for `seconds` after a short warm-up. */
async function timePerCall(seconds: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < until) {
    await fn();
    calls++;
  }
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const seconds = Number(option('seconds') ?? 3);
  const gateway = await generateE2eeKeys();
  const primary = await generateE2eeKeys();
  const raw = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const guard = new ReplayGuard();
  const messages = {
    heartbeat: {
      sentAt: new Date().toISOString(),
      version: '1.5.0',
      environment: 'NPR',
      role: 'primary',
      status: 'healthy',
      primaryCircuit: 'closed',
      consecutiveFailures: 0,
      certificateNotAfter: new Date().toISOString(),
      writeQueueDepth: 0,
    },
    sync64k: { secrets: [{ path: 'app/blob', version: 1, value: 'x'.repeat(64 * 1024) }] },
  };
  const result: Record<string, unknown> = { bench: BENCH };
  for (const [name, message] of Object.entries(messages)) {
    const sealedRound = async () => {
      const { jwe } = await sealMessage(message, {
        senderId: 'urn:mazevault:gateway:bench',
        signingKey: gateway.signing.privateJwk,
        recipientEncryptionJwk: primary.encryption.publicJwk,
        audience: 'bench',
        ttlSeconds: 60,
      });
      await openMessage(jwe, {
        decryptionKey: primary.encryption.privateJwk,
        senderSigningJwk: gateway.signing.publicJwk,
        expectedIssuer: 'urn:mazevault:gateway:bench',
        expectedAudience: 'bench',
        replayGuard: guard,
      });
    };
    const bytes = Buffer.from(JSON.stringify(message));
    const rawRound = () => {
      const signature = createSign('SHA256').update(bytes).sign(raw.privateKey);
      if (!createVerify('SHA256').update(bytes).verify(raw.publicKey, signature)) throw new Error('verify');
    };
    log(`${name}: ${bytes.length} bytes, ${seconds} s sealed, ${seconds} s raw`);
    const sealedUs = await timePerCall(seconds, sealedRound);
    const rawUs = await timePerCall(seconds, rawRound);
    result[`${name}_us`] = round(sealedUs, 1);
    result[`${name}_raw_us`] = round(rawUs, 1);
    result[`${name}_vs_raw`] = round(rawUs / sealedUs, 3);
  }
  printResult(result);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
