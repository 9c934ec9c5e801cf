import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { createPrimaryDataSource } from '@mazevault/persistence';
import {
  CA_KEY_KIND,
  certIdFor,
  createRootCa,
  issueOcspSigner,
  OCSP_RESPONSE_STATUS,
  OCSP_SIGNER_KEY_KIND,
  parseOcspResponse,
  sealSignerKey,
  systemClock,
} from '@mazevault/pki';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { loadOcspConfig } from '../src/config/ocsp.config';
import { createOcspResponderApp, type OcspResponderApp } from '../src/ocsp-responder.app';

/** A valid DER OCSPRequest for (issuer, serial), optionally with a nonce. */
async function requestDer(issuer: pkijs.Certificate, serial: string, nonce?: Buffer): Promise<Buffer> {
  const certId = await certIdFor(issuer, serial);
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [
    new pkijs.Request({
      reqCert: new pkijs.CertID({ schema: asn1js.fromBER(new Uint8Array(certId.der)).result }),
    }),
  ];
  if (nonce) {
    request.tbsRequest.requestExtensions = [
      new pkijs.Extension({
        extnID: '1.3.6.1.5.5.7.48.1.2',
        extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER(),
      }),
    ];
  }
  return Buffer.from(request.toSchema(true).toBER());
}

function mutate(der: Buffer): Buffer {
  const copy = Buffer.from(der);
  const kind = Math.floor(Math.random() * 5);
  if (kind === 0) copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
  if (kind === 1) return copy.subarray(0, Math.floor(Math.random() * copy.length));
  if (kind === 2) return Buffer.concat([copy, randomBytes(1 + Math.floor(Math.random() * 16))]);
  if (kind === 3)
    for (let i = 0; i < 4; i++)
      copy[Math.floor(Math.random() * copy.length)] ^= 1 << Math.floor(Math.random() * 8);
  if (kind === 4) {
    // Deep nesting / huge lengths: constructed SEQUENCEs inside each other, or a lying length octet.
    return Math.random() < 0.5
      ? Buffer.concat([Buffer.from(Array.from({ length: 200 }, () => [0x30, 0x80]).flat()), copy])
      : Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), copy]);
  }
  return copy;
}

describe('OCSP responder fuzzing (in-process, real socket, real PostgreSQL)', () => {
  let database: TestDatabase;
  let app: OcspResponderApp;
  let url: string;
  let issuer: pkijs.Certificate;
  let valid: Buffer;
  const serial = '7a' + randomBytes(15).toString('hex');

  beforeAll(async () => {
    database = await createTestDatabase('ocsp-fuzz');
    const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const masterKey = randomBytes(32).toString('base64');
    const masters = new MasterKeyRing(new EnvMasterKeyProvider({ value: masterKey }));
    const root = await createRootCa({
      keyType: 'ecdsa-p256',
      subject: { commonName: 'Fuzz Root' },
      ttlSeconds: 86400 * 30,
      clock: systemClock,
    });
    const signer = await issueOcspSigner({ ca: root.ca, clock: systemClock, keyType: 'ecdsa-p256' });
    const id = randomUUID();
    const caKey = await sealSignerKey(new Uint8Array(root.privateKeyPkcs8!), CA_KEY_KIND, id, masters);
    const signerKey = await sealSignerKey(
      new Uint8Array(signer.privateKeyPkcs8!),
      OCSP_SIGNER_KEY_KIND,
      id,
      masters,
    );
    await dataSource.query(
      `INSERT INTO certificate_authorities (id, organization_id, name, kind, key_type, status, certificate_der, certificate_pem, sealed_private_key, master_key_id, not_after, ocsp_signer_der, ocsp_signer_sealed_key, ocsp_signer_not_after)
       VALUES ($1, $2, 'fuzz', 'root', 'ecdsa-p256', 'active', $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        randomUUID(),
        Buffer.from(root.certificate.der),
        root.certificate.pem,
        caKey.sealed,
        caKey.masterKeyId,
        root.certificate.notAfter,
        Buffer.from(signer.certificate.der),
        signerKey.sealed,
        signer.certificate.notAfter,
      ],
    );
    await dataSource.query(
      `INSERT INTO certificates (ca_id, serial, organization_id, not_before, not_after, der) VALUES ($1, $2, $3, now(), now() + interval '1 day', '\\x00')`,
      [id, serial, randomUUID()],
    );
    await dataSource.destroy();
    issuer = root.ca.certificate;
    app = await createOcspResponderApp(
      loadOcspConfig({ DATABASE_URL: database.url, MASTER_KEY: masterKey, LOG_LEVEL: 'silent' }),
      () => undefined,
    );
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    valid = await requestDer(issuer, serial);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const post = async (body: Buffer) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body,
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  };

  it('answers the valid request good, and a nonce request with the nonce echoed', async () => {
    const good = parseOcspResponse((await post(valid)).body);
    expect(good.basic?.responses[0]?.status).toEqual({ status: 'good' });
    const nonce = randomBytes(16);
    const withNonce = parseOcspResponse((await post(await requestDer(issuer, serial, nonce))).body);
    expect(Buffer.from(withNonce.basic!.nonce!)).toEqual(
      Buffer.from(new asn1js.OctetString({ valueHex: nonce }).toBER()),
    );
    const unknown = parseOcspResponse((await post(await requestDer(issuer, '0123'))).body);
    expect(unknown.basic?.responses[0]?.status).toEqual({ status: 'unknown' });
  });

  it('refuses at the HTTP level with problem+json and stable codes: 405, 413, 414, 431', async () => {
    const expectProblem = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({
        status,
        code,
        type: `https://mazevault.dev/problems/${code}`,
      });
    };
    const put = await fetch(url, { method: 'PUT', body: valid });
    expect(put.headers.get('allow')).toBe('GET, POST');
    await expectProblem(put, 405, 'method_not_allowed');
    await expectProblem(
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: Buffer.alloc(70 * 1024),
      }),
      413,
      'payload_too_large',
    );
    await expectProblem(await fetch(`${url}/${'A'.repeat(10 * 1024)}`), 414, 'uri_too_long');
    const { port } = new URL(url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 431,
      code: 'headers_too_large',
    });
  });

  it('answers thousands of random and mutated requests with malformedRequest or a valid response, never 5xx', async () => {
    const seen: Record<string, number> = {};
    const inputs: Buffer[] = [];
    for (let i = 0; i < 1500; i++) inputs.push(mutate(valid));
    for (let i = 0; i < 500; i++) inputs.push(randomBytes(Math.floor(Math.random() * 300)));
    inputs.push(
      Buffer.alloc(0),
      Buffer.from([0x30]),
      Buffer.from([0x30, 0x00]),
      Buffer.from([0x06, 0x7f, ...randomBytes(127)]),
    );
    for (let i = 0; i < inputs.length; i += 50) {
      const batch = await Promise.all(inputs.slice(i, i + 50).map(post));
      for (const { status, body } of batch) {
        expect(status).toBe(200);
        const parsed = parseOcspResponse(body);
        expect(['successful', 'malformedRequest', 'unauthorized']).toContain(parsed.status);
        if (parsed.status === 'successful') expect(parsed.basic?.responses.length).toBeGreaterThan(0);
        seen[parsed.status] = (seen[parsed.status] ?? 0) + 1;
      }
    }
    expect(seen.malformedRequest).toBeGreaterThan(1000);
    // GET with garbage paths as well.
    for (const path of [
      '/%%%',
      '/' + 'A'.repeat(5000),
      '/!!',
      '/' + encodeURIComponent(randomBytes(64).toString('base64')),
    ]) {
      const response = await fetch(url + path);
      expect(response.status).toBeLessThan(500);
    }
    // Still healthy and still right.
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    expect(parseOcspResponse((await post(valid)).body).basic?.responses[0]?.status).toEqual({
      status: 'good',
    });
    expect(OCSP_RESPONSE_STATUS.malformedRequest).toBe(1);
  }, 120_000);
});
