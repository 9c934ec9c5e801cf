import { readFileSync } from 'node:fs';
import { IssuedCertificate } from './certificate';
import { CertificateAuthority } from './certificate-authority';
import { defineProfile } from './certificate-profile';
import { issueWithGeneratedKey } from './issuance';
import { derExtension, derOid, derTlv, DER_INTEGER, DER_OCTET_STRING, DER_SEQUENCE } from './der-writer';
import {
  certIdFor,
  issuerMatch,
  MAX_OCSP_CERT_IDS,
  MAX_OCSP_REQUEST_BYTES,
  OcspCertId,
  parseOcspRequest,
} from './ocsp-request';
import {
  buildOcspErrorResponse,
  buildOcspResponse,
  buildPresignedOcspResponse,
  caAsOcspResponder,
  OcspErrorStatus,
  OcspResponder,
  parseOcspResponse,
  verifyOcspResponseSignature,
} from './ocsp-response';
import { issueOcspSigner } from './ocsp-signer';
import { FakeClock } from './testing/fake-clock';
import { DAY, testHierarchy } from './testing/fixtures';
import { openssl, scratchDir } from './testing/openssl';
import { testSigner } from './testing/test-keys';

const dir = scratchDir();
afterAll(() => dir.cleanup());
const profile = defineProfile({
  name: 'web',
  maxTtlSeconds: 30 * DAY,
  allowedDomains: ['example.com'],
  allowSubdomains: true,
});

let clock: FakeClock;
let root: CertificateAuthority;
let ca: CertificateAuthority;
let delegated: OcspResponder;
let good: IssuedCertificate;
let revoked: IssuedCertificate;
const files: Record<string, string> = {};

beforeAll(async () => {
  clock = new FakeClock(new Date()); // openssl checks thisUpdate/nextUpdate against the real time
  ({ root, intermediate: ca } = await testHierarchy(clock, { label: 'ocsp' }));
  const signer = await issueOcspSigner({
    ca,
    clock,
    signer: await testSigner('ecdsa-p256', 'ocsp-responder'),
  });
  delegated = signer.responder;
  good = (
    await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['good.example.com'] },
    })
  ).certificate;
  revoked = (
    await issueWithGeneratedKey({
      ca,
      profile,
      clock,
      keyType: 'ecdsa-p256',
      altNames: { dns: ['revoked.example.com'] },
    })
  ).certificate;
  files.root = dir.write('root.pem', root.pem);
  files.issuer = dir.write('issuer.pem', ca.pem);
  files.signer = dir.write('ocsp-signer.pem', signer.certificate.pem);
});

/** An OCSP request made by openssl (the client side we have to interoperate with). */
function opensslRequest(name: string, serials: string[], extra: string[] = []): Uint8Array {
  const out = `${dir.path}/${name}.req.der`;
  // digest options apply to the -serial options that follow them
  const args = [
    'ocsp',
    ...extra,
    '-issuer',
    files.issuer!,
    ...serials.flatMap((s) => ['-serial', `0x${s}`]),
    '-reqout',
    out,
  ];
  const result = openssl(args);
  expect(result.status).toBe(0);
  return new Uint8Array(readFileSync(out));
}

/**
 * openssl ocsp verifies our response (signature, responder authorization, validity) and prints statuses.
 * With `requestFile` it also checks the nonce against that request; -serial would make openssl build
 * a fresh request with its own nonce, so serials are only passed (with -no_nonce) when there is none.
 */
function opensslCheck(name: string, response: Uint8Array, serials: string[], requestFile?: string) {
  const respFile = dir.write(`${name}.resp.der`, response);
  const subject = requestFile
    ? ['-reqin', requestFile]
    : ['-no_nonce', ...serials.flatMap((s) => ['-serial', `0x${s}`])];
  return openssl([
    'ocsp',
    '-respin',
    respFile,
    '-issuer',
    files.issuer!,
    '-CAfile',
    files.root!,
    '-verify_other',
    files.issuer!,
    ...subject,
    '-resp_text',
  ]);
}

/** 200 SEQUENCEs inside each other, each with a correct DER length. */
function deeplyNested(depth: number): Uint8Array {
  let inner: number[] = [0x05, 0x00];
  for (let i = 0; i < depth; i++) {
    const n = inner.length;
    const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
    inner = [0x30, ...length, ...inner];
  }
  return new Uint8Array(inner);
}

async function statusFor(certId: OcspCertId) {
  if (certId.serialNumber === revoked.serialNumber)
    return {
      status: 'revoked' as const,
      revokedAt: new Date(clock.now().getTime() - 3600_000),
      reason: 'keyCompromise' as const,
    };
  if (certId.serialNumber === good.serialNumber) return { status: 'good' as const };
  return { status: 'unknown' as const };
}

describe('OCSP request parsing', () => {
  it('parses an openssl -reqout request: CertIDs, nonce, issuer match', async () => {
    const parsed = parseOcspRequest(opensslRequest('parse', [good.serialNumber, revoked.serialNumber]));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.request.certIds.map((c) => c.serialNumber)).toEqual([
      good.serialNumber,
      revoked.serialNumber,
    ]);
    expect(parsed.request.certIds[0]!.hashAlgorithm).toBe('SHA-1');
    expect(parsed.request.nonce).toBeDefined(); // openssl adds a nonce by default
    expect(parsed.request.signed).toBe(false);
    expect(await issuerMatch(parsed.request.certIds[0]!, ca.certificate)).toBe(true);
    expect(await issuerMatch(parsed.request.certIds[0]!, root.certificate)).toBe(false);
  });

  it('matches SHA-256 CertIDs too, and lets one responder dispatch between CAs', async () => {
    const parsed = parseOcspRequest(opensslRequest('sha256', [good.serialNumber], ['-sha256', '-no_nonce']));
    if (!parsed.ok) throw new Error(parsed.reason);
    const [certId] = parsed.request.certIds;
    expect(certId!.hashAlgorithm).toBe('SHA-256');
    expect(parsed.request.nonce).toBeUndefined();
    const issuers = [root, ca];
    const matches = await Promise.all(issuers.map((i) => issuerMatch(certId!, i.certificate)));
    expect(matches).toEqual([false, true]);
    expect(await certIdFor(ca.certificate, good.serialNumber, 'SHA-256')).toMatchObject({
      issuerNameHash: certId!.issuerNameHash,
      issuerKeyHash: certId!.issuerKeyHash,
    });
  });

  it.each<[string, Uint8Array]>([
    ['empty input', new Uint8Array()],
    ['garbage', new Uint8Array(Buffer.from('GET / HTTP/1.1\r\n\r\n'))],
    ['a lone NULL', new Uint8Array([0x05, 0x00])],
    ['truncated request', new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x30, 0x00])],
    ['indefinite length', new Uint8Array([0x30, 0x80, 0x00, 0x00])],
    ['deep nesting', deeplyNested(200)],
    ['oversized input', new Uint8Array(MAX_OCSP_REQUEST_BYTES + 1)],
    ['empty requestList', new Uint8Array([0x30, 0x04, 0x30, 0x02, 0x30, 0x00])],
  ])('maps %s to malformedRequest without throwing', (_name, input) => {
    const result = parseOcspRequest(input);
    expect(result).toMatchObject({ ok: false, status: 'malformedRequest' });
  });
});

/** An OCSPRequest from parts: Request elements and request extensions (DER, built by hand so it can be hostile). */
function rawRequest(requests: Uint8Array[], extensions: Uint8Array[] = []): Uint8Array {
  const tbs = [
    derTlv(DER_SEQUENCE, requests),
    ...(extensions.length ? [derTlv(0xa2, [derTlv(DER_SEQUENCE, extensions)])] : []),
  ];
  return derTlv(DER_SEQUENCE, [derTlv(DER_SEQUENCE, tbs)]);
}

/** A Request whose CertID is `certId` with its serial INTEGER replaced by `serialContent`. */
function requestWithSerial(certId: OcspCertId, serialContent: number[]): Uint8Array {
  const der = Buffer.from(certId.der);
  // CertID = 30 len { alg, nameHash, keyHash, INTEGER }: keep everything before the INTEGER.
  const serialTlvLength =
    2 +
    Buffer.from(certId.serialNumber, 'hex').length +
    (parseInt(certId.serialNumber.slice(0, 2), 16) & 0x80 ? 1 : 0);
  const head = der.subarray(2, der.length - serialTlvLength);
  return derTlv(DER_SEQUENCE, [
    derTlv(DER_SEQUENCE, [head, derTlv(DER_INTEGER, [Uint8Array.from(serialContent)])]),
  ]);
}

/** `certId` with its AlgorithmIdentifier's parameters replaced (null: none). CertIDs use short-form lengths. */
function certIdWithHashParameters(certId: OcspCertId, parameters: Uint8Array | null): Uint8Array {
  const body = Buffer.from(certId.der).subarray(2);
  const algorithm = body.subarray(0, 2 + body[1]!);
  const oid = algorithm.subarray(2, 4 + algorithm[3]!);
  return derTlv(DER_SEQUENCE, [
    derTlv(DER_SEQUENCE, parameters ? [oid, parameters] : [oid]),
    body.subarray(algorithm.length),
  ]);
}

const nonceExtension = (n: number) =>
  derExtension(
    '1.3.6.1.5.5.7.48.1.2',
    false,
    derTlv(DER_OCTET_STRING, [Uint8Array.of(n & 0xff, n >> 8, 1, 2, 3, 4, 5, 6)]),
  );

describe('OCSP request parsing: one CertID per certificate, bounded work', () => {
  it("refuses a serial with a redundant leading zero, and a negative alias, that used to share the real certificate's cache slot", async () => {
    const certId = await certIdFor(ca.certificate, '685b3c');
    expect(parseOcspRequest(rawRequest([requestWithSerial(certId, [0x68, 0x5b, 0x3c])]))).toMatchObject({
      ok: true,
    });
    const padded = parseOcspRequest(rawRequest([requestWithSerial(certId, [0x00, 0x68, 0x5b, 0x3c])]));
    expect(padded).toMatchObject({
      ok: false,
      status: 'malformedRequest',
      reason: expect.stringContaining('non-minimal INTEGER'),
    });
    const ff = await certIdFor(ca.certificate, 'ff');
    expect(parseOcspRequest(rawRequest([requestWithSerial(ff, [0x00, 0xff])]))).toMatchObject({ ok: true });
    expect(parseOcspRequest(rawRequest([requestWithSerial(ff, [0xff])]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('negative'),
    });
  });

  it('takes the hash algorithm with NULL or no parameters only: what it accepts, the responder can sign', async () => {
    const certId = await certIdFor(ca.certificate, good.serialNumber);
    const request = (parameters: number[] | null) =>
      parseOcspRequest(
        rawRequest([
          derTlv(DER_SEQUENCE, [certIdWithHashParameters(certId, parameters && Uint8Array.from(parameters))]),
        ]),
      );
    // Found by the responder's fuzz test: a constructed NULL, a reserved tag or any other value in
    // the parameters passed the reader, then failed when the CertID was echoed into the response.
    for (const parameters of [
      [0x25, 0x00],
      [0x0f, 0x00],
      [0x30, 0x00],
      [0x05, 0x01, 0x00],
      [0x04, 0x00],
    ])
      expect(request(parameters)).toMatchObject({
        ok: false,
        status: 'malformedRequest',
        reason: expect.stringContaining('parameters must be absent or NULL'),
      });
    for (const parameters of [[0x05, 0x00], null]) {
      const parsed = request(parameters);
      if (!parsed.ok) throw new Error(parsed.reason);
      const signed = await buildOcspResponse({
        responder: delegated,
        clock,
        validitySeconds: DAY,
        responses: [{ certId: parsed.request.certIds[0]!, status: { status: 'good' } }],
      });
      expect(parseOcspResponse(signed).basic?.responses[0]?.serialNumber).toBe(good.serialNumber);
    }
  });

  it('echoes the CertID bytes exactly as sent', async () => {
    const certId = await certIdFor(ca.certificate, good.serialNumber);
    const parsed = parseOcspRequest(rawRequest([derTlv(DER_SEQUENCE, [certId.der])]));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(Buffer.from(parsed.request.certIds[0]!.der)).toEqual(Buffer.from(certId.der));
    expect(parsed.request.certIds[0]!.serialNumber).toBe(good.serialNumber);
  });

  it('refuses duplicate extensions (RFC 5280 4.2): 1,878 nonces are malformed, not a 300 ms decode', async () => {
    const request = derTlv(DER_SEQUENCE, [(await certIdFor(ca.certificate, good.serialNumber)).der]);
    expect(parseOcspRequest(rawRequest([request], [nonceExtension(1)]))).toMatchObject({
      ok: true,
      request: { nonce: expect.any(Uint8Array) },
    });
    expect(parseOcspRequest(rawRequest([request], [nonceExtension(1), nonceExtension(2)]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('more than once'),
    });
    const many = parseOcspRequest(
      rawRequest(
        [request],
        Array.from({ length: 1878 }, (_, i) => nonceExtension(i)),
      ),
    );
    expect(many).toMatchObject({ ok: false, status: 'malformedRequest' });
  });

  it('counts CertIDs while reading: the 33rd is refused before anything after it is looked at', async () => {
    const request = derTlv(DER_SEQUENCE, [(await certIdFor(ca.certificate, good.serialNumber)).der]);
    const notARequest = Uint8Array.of(0x05, 0x00);
    expect(
      parseOcspRequest(rawRequest(Array.from({ length: MAX_OCSP_CERT_IDS }, () => request))),
    ).toMatchObject({ ok: true });
    const hostile = rawRequest([
      ...Array.from({ length: MAX_OCSP_CERT_IDS }, () => request),
      ...Array.from({ length: 958 }, () => notARequest),
    ]);
    expect(parseOcspRequest(hostile)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`more than ${MAX_OCSP_CERT_IDS}`),
    });
  });

  it('still reads what real clients send: version v1 explicit, a requestorName, a signed request', async () => {
    const certIdDer = (await certIdFor(ca.certificate, good.serialNumber)).der;
    const list = derTlv(DER_SEQUENCE, [derTlv(DER_SEQUENCE, [certIdDer])]);
    const version = derTlv(0xa0, [Uint8Array.of(0x02, 0x01, 0x00)]);
    const requestor = derTlv(0xa1, [derTlv(0x82, [Buffer.from('client.example.com')])]);
    const signature = derTlv(0xa0, [
      derTlv(DER_SEQUENCE, [
        derTlv(DER_SEQUENCE, [derOid('1.2.840.10045.4.3.2')]),
        Uint8Array.of(0x03, 0x01, 0x00),
      ]),
    ]);
    const parsed = parseOcspRequest(
      derTlv(DER_SEQUENCE, [derTlv(DER_SEQUENCE, [version, requestor, list]), signature]),
    );
    expect(parsed).toMatchObject({
      ok: true,
      request: { signed: true, certIds: [{ serialNumber: good.serialNumber }] },
    });
    const v2 = derTlv(0xa0, [Uint8Array.of(0x02, 0x01, 0x01)]);
    expect(parseOcspRequest(derTlv(DER_SEQUENCE, [derTlv(DER_SEQUENCE, [v2, list])]))).toMatchObject({
      ok: false,
    });
  });
});

describe('OCSP responses', () => {
  it('signs good / revoked / unknown with a delegated responder; openssl verifies it and the nonce', async () => {
    const unknownSerial = '0badc0de';
    const reqDer = opensslRequest('delegated', [good.serialNumber, revoked.serialNumber, unknownSerial]);
    const parsed = parseOcspRequest(reqDer);
    if (!parsed.ok) throw new Error(parsed.reason);
    const response = await buildOcspResponse({
      responder: delegated,
      clock,
      validitySeconds: DAY,
      nonce: parsed.request.nonce!,
      responses: await Promise.all(
        parsed.request.certIds.map(async (certId) => ({ certId, status: await statusFor(certId) })),
      ),
    });
    const withNonce = opensslCheck('delegated', response, [], `${dir.path}/delegated.req.der`);
    expect(withNonce.output).toContain('Response verify OK');
    expect(withNonce.output).not.toMatch(/WARNING: no nonce|Nonce Verify error/);
    expect(withNonce.stdout).toContain('OCSP Nonce');
    expect(withNonce.stdout).toMatch(/Responder Id: [0-9A-F]{40}/); // byKey
    const result = opensslCheck('delegated-status', response, [
      good.serialNumber,
      revoked.serialNumber,
      unknownSerial,
    ]);
    expect(result.output).toContain('Response verify OK');
    expect(result.stdout).toContain(`0x${good.serialNumber}: good`);
    expect(result.stdout).toContain(`0x${revoked.serialNumber}: revoked`);
    expect(result.stdout).toContain('Reason: keyCompromise');
    expect(result.stdout).toContain(`0x${unknownSerial}: unknown`);
  });

  it('round-trips through pkijs parsing', async () => {
    const certId = await certIdFor(ca.certificate, revoked.serialNumber);
    const nonce = new Uint8Array([0x04, 0x10, ...Array(16).fill(7)]);
    const der = await buildOcspResponse({
      responder: delegated,
      clock,
      validitySeconds: 3600,
      nonce,
      responses: [{ certId, status: await statusFor(certId) }],
    });
    const parsed = parseOcspResponse(der);
    expect(parsed.status).toBe('successful');
    expect(parsed.basic!.nonce).toEqual(nonce);
    expect(parsed.basic!.certificates).toHaveLength(1); // delegated: its certificate travels with the response
    const [single] = parsed.basic!.responses;
    expect(single).toMatchObject({
      serialNumber: revoked.serialNumber,
      status: { status: 'revoked', reason: 'keyCompromise' },
    });
    expect(single!.nextUpdate!.getTime() - single!.thisUpdate.getTime()).toBe(3600_000);
    expect(await verifyOcspResponseSignature(parsed, delegated.certificate)).toBe(true);
    expect(await verifyOcspResponseSignature(parsed, ca.certificate)).toBe(false);
  });

  it('can be signed by the CA itself (no certs embedded); openssl verifies it', async () => {
    const response = await buildPresignedOcspResponse({
      responder: caAsOcspResponder(ca),
      issuer: ca.certificate,
      serialNumber: good.serialNumber,
      status: { status: 'good' },
      clock,
      validitySeconds: DAY,
    });
    const parsed = parseOcspResponse(response);
    expect(parsed.basic!.certificates).toHaveLength(0);
    expect(parsed.basic!.nonce).toBeUndefined(); // cacheable
    const result = opensslCheck('ca-signed', response, [good.serialNumber]);
    expect(result.output).toContain('Response verify OK');
    expect(result.stdout).toContain(`0x${good.serialNumber}: good`);
  });

  it('is rejected by openssl when tampered with', async () => {
    const response = await buildPresignedOcspResponse({
      responder: delegated,
      issuer: ca.certificate,
      serialNumber: revoked.serialNumber,
      status: { status: 'good' },
      clock,
      validitySeconds: DAY,
    });
    const tampered = new Uint8Array(response);
    const at = Buffer.from(tampered).indexOf(Buffer.from(revoked.serialNumber, 'hex'));
    tampered[at + 15]! ^= 0x01; // last serial byte inside the signed data
    const result = opensslCheck('tampered', tampered, []);
    expect(result.output).toMatch(/Response Verify Failure/i);
  });

  it('is rejected by openssl when the responder is not authorized for the issuer', async () => {
    const other = await testHierarchy(clock, { label: 'ocsp-other' });
    const stranger = await issueOcspSigner({
      ca: other.intermediate,
      clock,
      signer: await testSigner('ecdsa-p256', 'ocsp-stranger'),
    });
    const response = await buildPresignedOcspResponse({
      responder: stranger.responder,
      issuer: ca.certificate,
      serialNumber: good.serialNumber,
      status: { status: 'good' },
      clock,
      validitySeconds: DAY,
    });
    expect(opensslCheck('stranger', response, [good.serialNumber]).output).toMatch(
      /Response Verify Failure/i,
    );
  });

  it('issues delegated signer certificates with OCSPSigning and ocsp-nocheck', async () => {
    const text = openssl(['x509', '-in', files.signer!, '-noout', '-text']).stdout;
    expect(text).toContain('OCSP Signing');
    expect(text).toContain('OCSP No Check');
    expect(text).toMatch(/CA:FALSE/);
    expect(
      openssl([
        'verify',
        '-CAfile',
        files.root!,
        '-untrusted',
        files.issuer!,
        '-purpose',
        'ocsphelper',
        files.signer!,
      ]).output,
    ).toContain(': OK');
  });

  it.each<[OcspErrorStatus, number]>([
    ['malformedRequest', 1],
    ['internalError', 2],
    ['tryLater', 3],
    ['unauthorized', 6],
  ])('builds the unsigned %s error response', (status, code) => {
    const der = buildOcspErrorResponse(status);
    expect(parseOcspResponse(der)).toEqual({ status });
    const text = openssl(['ocsp', '-respin', dir.write(`${status}.der`, der), '-resp_text', '-noverify']);
    expect(text.output.toLowerCase()).toContain(`responder error: ${status.toLowerCase()} (${code})`);
  });

  it.each([0, 10 * DAY + 1])('refuses a validity of %s seconds', async (validitySeconds) => {
    const certId = await certIdFor(ca.certificate, good.serialNumber);
    await expect(
      buildOcspResponse({
        responder: delegated,
        clock,
        validitySeconds,
        responses: [{ certId, status: { status: 'good' } }],
      }),
    ).rejects.toMatchObject({ code: 'ocsp_validity_invalid' });
  });
});
