import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { createPrimaryDataSource } from '@mazevault/persistence';
import {
  CA_KEY_KIND,
  certIdFor,
  type Clock,
  createRootCa,
  issueOcspSigner,
  OCSP_SIGNER_KEY_KIND,
  parseOcspResponse,
  sealSignerKey,
  systemClock,
} from '@mazevault/pki';
import { createTestDatabase, type TestDatabase } from '@mazevault/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadOcspConfig } from '../src/config/ocsp.config';
import { OcspResponderService } from '../src/ocsp/ocsp-responder';
import { createOcspResponderApp, type OcspResponderApp } from '../src/ocsp-responder.app';

async function requestDer(issuer: pkijs.Certificate, serial: string): Promise<Buffer> {
  const certId = await certIdFor(issuer, serial);
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [
    new pkijs.Request({
      reqCert: new pkijs.CertID({ schema: asn1js.fromBER(new Uint8Array(certId.der)).result }),
    }),
  ];
  return Buffer.from(request.toSchema(true).toBER());
}

/** A nonce-less request whose CertID serial INTEGER has exactly these content octets (however non-canonical). */
async function requestWithSerialOctets(
  issuer: pkijs.Certificate,
  serial: string,
  octets: Buffer,
): Promise<Buffer> {
  const certId = new pkijs.CertID({
    schema: asn1js.fromBER(new Uint8Array((await certIdFor(issuer, serial)).der)).result,
  });
  certId.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(octets).buffer });
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
  return Buffer.from(request.toSchema(true).toBER());
}

/** The pre-signed hot path: byte-exact hits with precomputed headers, and it never outlives a revocation or nextUpdate. */
describe('OCSP responder cache (hot path, invalidation, freshness)', () => {
  let database: TestDatabase;
  let app: OcspResponderApp;
  let url: string;
  let issuer: pkijs.Certificate;
  let caId: string;
  const serials = [
    '7b' + randomBytes(15).toString('hex'),
    '7c' + randomBytes(15).toString('hex'),
    '7d' + randomBytes(15).toString('hex'),
  ];

  beforeAll(async () => {
    database = await createTestDatabase('ocsp-cache');
    const dataSource = await createPrimaryDataSource({ url: database.url }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const masterKey = randomBytes(32).toString('base64');
    const masters = new MasterKeyRing(new EnvMasterKeyProvider({ value: masterKey }));
    const root = await createRootCa({
      keyType: 'ecdsa-p256',
      subject: { commonName: 'Cache Root' },
      ttlSeconds: 86400 * 30,
      clock: systemClock,
    });
    const signer = await issueOcspSigner({ ca: root.ca, clock: systemClock, keyType: 'ecdsa-p256' });
    caId = randomUUID();
    const caKey = await sealSignerKey(new Uint8Array(root.privateKeyPkcs8!), CA_KEY_KIND, caId, masters);
    const signerKey = await sealSignerKey(
      new Uint8Array(signer.privateKeyPkcs8!),
      OCSP_SIGNER_KEY_KIND,
      caId,
      masters,
    );
    await dataSource.query(
      `INSERT INTO certificate_authorities (id, organization_id, name, kind, key_type, status, certificate_der, certificate_pem, sealed_private_key, master_key_id, not_after, ocsp_signer_der, ocsp_signer_sealed_key, ocsp_signer_not_after)
       VALUES ($1, $2, 'cache', 'root', 'ecdsa-p256', 'active', $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        caId,
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
    for (const serial of serials) {
      await dataSource.query(
        `INSERT INTO certificates (ca_id, serial, organization_id, not_before, not_after, der) VALUES ($1, $2, $3, now(), now() + interval '1 day', '\\x00')`,
        [caId, serial, randomUUID()],
      );
    }
    await dataSource.destroy();
    issuer = root.ca.certificate;
    app = await createOcspResponderApp(
      loadOcspConfig({
        DATABASE_URL: database.url,
        MASTER_KEY: masterKey,
        LOG_LEVEL: 'silent',
        OCSP_REFRESH_SECONDS: '600',
        OCSP_VALIDITY_SECONDS: '3600',
        OCSP_MAX_AGE_SECONDS: '300',
      }),
      () => undefined,
    );
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
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
    return {
      status: response.status,
      headers: response.headers,
      body: Buffer.from(await response.arrayBuffer()),
    };
  };
  const metric = async (name: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(new RegExp(`^${name}[^ ]* (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };

  it('serves the same pre-signed bytes and headers to every nonce-less request, and counts the hits', async () => {
    const der = await requestDer(issuer, serials[0]!);
    const hitsBefore = await metric('mazevault_ocsp_cache_hits_total');
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(der)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(answers[0]!.body);
      expect(answer.headers.get('etag')).toBe(answers[0]!.headers.get('etag'));
      expect(answer.headers.get('cache-control')).toBe('max-age=300, public, no-transform, must-revalidate');
      expect(answer.headers.get('content-type')).toBe('application/ocsp-response');
      expect(answer.headers.get('last-modified')).toMatch(/GMT$/);
      expect(Date.parse(answer.headers.get('expires')!)).toBeGreaterThan(Date.now() + 3000_000);
    }
    const single = parseOcspResponse(answers[0]!.body).basic!.responses[0]!;
    expect(single.status).toEqual({ status: 'good' });
    expect(single.nextUpdate!.getTime() - single.thisUpdate.getTime()).toBe(3600_000);
    // Pre-signed at start-up, so all 20 are hits; the counters are folded in at scrape time.
    expect((await metric('mazevault_ocsp_cache_hits_total')) - hitsBefore).toBe(20);
    expect(await metric('mazevault_ocsp_cache_hit_ratio')).toBeGreaterThan(0.5);
    expect(
      await metric('mazevault_ocsp_requests_total\\{status="200",outcome="good"'),
    ).toBeGreaterThanOrEqual(20);
  });

  it('stops serving a cached good answer as soon as a revocation is invalidated (Redis path) or polled (database path)', async () => {
    const pool = new Pool({ connectionString: database.url });
    try {
      const revoke = (serial: string) =>
        pool.query(
          `UPDATE certificates SET status = 'revoked', revoked_at = now(), revocation_reason = 1 WHERE ca_id = $1 AND serial = $2`,
          [caId, serial],
        );
      const [viaRedis, viaPoll] = [serials[1]!, serials[2]!];
      for (const serial of [viaRedis, viaPoll])
        expect(
          parseOcspResponse((await post(await requestDer(issuer, serial))).body).basic!.responses[0]!.status
            .status,
        ).toBe('good');

      await revoke(viaRedis);
      app.responder.invalidate(caId, viaRedis); // what the Redis subscriber does on a Primary's message
      expect(
        parseOcspResponse((await post(await requestDer(issuer, viaRedis))).body).basic!.responses[0]!.status,
      ).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });

      await revoke(viaPoll);
      await app.refresh();
      expect(
        parseOcspResponse((await post(await requestDer(issuer, viaPoll))).body).basic!.responses[0]!.status,
      ).toMatchObject({ status: 'revoked' });
    } finally {
      await pool.end();
    }
  });

  it('a CertID with a padded or negative-alias serial cannot poison the cache: openssl still verifies the real answer', async () => {
    const padded = '68' + randomBytes(15).toString('hex'); // attacker sends 02 11 00 68 …
    const aliased = 'ff' + randomBytes(15).toString('hex'); // real: 02 11 00 ff …, attacker sends 02 10 ff …
    const pool = new Pool({ connectionString: database.url });
    const dir = mkdtempSync(join(tmpdir(), 'ocsp-poison-'));
    try {
      // Issued after start-up, so not pre-signed: the first request for each fills its cache slot.
      for (const serial of [padded, aliased]) {
        await pool.query(
          `INSERT INTO certificates (ca_id, serial, organization_id, not_before, not_after, der) VALUES ($1, $2, $3, now(), now() + interval '1 day', '\\x00')`,
          [caId, serial, randomUUID()],
        );
      }
      const poisoned = [
        await requestWithSerialOctets(issuer, padded, Buffer.from('00' + padded, 'hex')),
        await requestWithSerialOctets(issuer, aliased, Buffer.from(aliased, 'hex')),
      ];
      const answers = [];
      for (const request of poisoned) answers.push(await post(request));
      const issuerFile = join(dir, 'issuer.pem');
      writeFileSync(
        issuerFile,
        `-----BEGIN CERTIFICATE-----\n${Buffer.from(issuer.toSchema().toBER()).toString('base64')}\n-----END CERTIFICATE-----\n`,
      );
      for (const serial of [padded, aliased]) {
        // Asynchronously: the responder answers from this very process.
        const output = await new Promise<string>((resolve) => {
          execFile(
            'openssl',
            [
              'ocsp',
              '-issuer',
              issuerFile,
              '-CAfile',
              issuerFile,
              '-serial',
              `0x${serial}`,
              '-url',
              url,
              '-no_nonce',
            ],
            { timeout: 20_000 },
            (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
          );
        });
        expect(output).toContain('Response verify OK');
        expect(output).toMatch(/: good/);
        expect(output).not.toContain('illegal padding');
      }
      // Refused outright: a serial INTEGER must be minimal and non-negative.
      for (const answer of answers) expect(parseOcspResponse(answer.body).status).toBe('malformedRequest');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await pool.end();
    }
  });

  it('bounds what attacker-chosen input can keep in memory: unknown serials have their own cap, oversized requests are not remembered', async () => {
    const pool = new Pool({ connectionString: database.url });
    try {
      const responder = new OcspResponderService(
        pool,
        app.issuers,
        systemClock,
        { validitySeconds: 600, maxEntries: 100, maxUnknownEntries: 5 },
        { signed: () => undefined },
      );
      const legit = await requestDer(issuer, serials[0]!);
      await responder.answer(legit, legit.toString('latin1'));
      for (let i = 0; i < 30; i++) {
        const flood = await requestDer(issuer, '11' + randomBytes(15).toString('hex'));
        expect((await responder.answer(flood, flood.toString('latin1'))).outcome).toBe('unknown');
      }
      expect(responder.cacheSize).toBe(1 + 5);
      expect(responder.lookup(legit.toString('latin1'), responder.nowMs())).toBeDefined(); // the flood evicted only its own kind

      // The same CertID with a 4 KB non-nonce request extension: answered from the certificate's slot, its bytes not kept.
      const template = new pkijs.OCSPRequest({ schema: asn1js.fromBER(new Uint8Array(legit)).result });
      template.tbsRequest.requestExtensions = [
        new pkijs.Extension({
          extnID: '1.3.6.1.4.1.99999.1',
          extnValue: new asn1js.OctetString({ valueHex: randomBytes(4096) }).toBER(),
        }),
      ];
      const padded = Buffer.from(template.toSchema(true).toBER());
      const answer = await responder.answer(padded, padded.toString('latin1'));
      expect(answer).toMatchObject({ outcome: 'good', hit: true });
      expect(responder.lookup(padded.toString('latin1'), responder.nowMs())).toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('re-signs once half the validity has passed, never serving past nextUpdate', async () => {
    let now = Date.now();
    const clock: Clock = { now: () => new Date(now) };
    const pool = new Pool({ connectionString: database.url });
    try {
      const responder = new OcspResponderService(
        pool,
        app.issuers,
        clock,
        { validitySeconds: 600, maxEntries: 100 },
        { signed: () => undefined },
      );
      const der = await requestDer(issuer, serials[0]!);
      const key = der.toString('latin1');
      const first = await responder.answer(der, key);
      expect(responder.lookup(key, responder.nowMs())).toBeDefined();
      const firstUpdate = parseOcspResponse(first.body).basic!.responses[0]!.thisUpdate.getTime();

      now += 301_000; // past the refresh point (half of 600 s), still before nextUpdate
      expect(responder.lookup(key, responder.nowMs())).toBeUndefined();
      const second = await responder.answer(der, key);
      expect(second.hit).toBe(false);
      const single = parseOcspResponse(second.body).basic!.responses[0]!;
      expect(single.thisUpdate.getTime()).toBeGreaterThanOrEqual(firstUpdate + 300_000);
      expect(single.nextUpdate!.getTime()).toBeGreaterThan(now);
      expect(responder.lookup(key, responder.nowMs())?.body).toEqual(second.body);
    } finally {
      await pool.end();
    }
  });
});
