import { AuditEventEntity, backfillCaCertificates, CertificateEntity } from '@mazevault/persistence';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl, startResponder } from './pki-test-processes';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('Sub-CAs as certificates: inventory, revocation by the parent (CRL, OCSP, openssl), no issuance after', () => {
  let primary: PrimaryTestApp;
  let responder: { url: string; child: ChildProcess };
  let base: string;
  let admin: string;
  let officer: string;
  let projectAdmin: string;
  let dir: string;
  let rootId: string;
  let intId: string;
  let intSerial: string;
  let leafSerial: string;
  const file = (name: string, data: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  const post = (path: string, body: unknown, token = admin) =>
    call(base, 'POST', `/api/v1/pki/${path}`, { token, body });
  const get = (path: string, token: string | null = admin) =>
    call(base, 'GET', `/api/v1/pki/${path}`, token ? { token } : {});
  const userWithRole = async (role: string, projectId?: string) => {
    const email = `${role}-${Date.now()}@example.test`;
    const user = await call(base, 'POST', '/api/v1/users', {
      token: admin,
      body: { email, password: 'a long enough password' },
    });
    const binding = await call(base, 'POST', '/api/v1/role-bindings', {
      token: admin,
      body: { userId: user.body.id, role, ...(projectId && { projectId }) },
    });
    expect(binding.status).toBe(201);
    return login(base, email, 'a long enough password');
  };
  /** The serial as openssl prints it, in our stored form (lower-case hex). */
  const serialOf = (pemPath: string) =>
    /serial=([0-9A-F]+)/
      .exec(openssl(['x509', '-noout', '-serial', '-in', pemPath]).output)![1]!
      .toLowerCase();
  /** The root's OCSP answer for an intermediate (`int.pem` unless named). */
  const ocspIntermediate = (intPem = 'int.pem') =>
    openssl([
      'ocsp',
      '-issuer',
      join(dir, 'root.pem'),
      '-cert',
      join(dir, intPem),
      '-url',
      responder.url,
      '-CAfile',
      join(dir, 'root.pem'),
    ]).output;
  /** openssl's verdict on a leaf (`<name>.pem`) under an intermediate (`<name>-int.pem`, CA `caId`), CRLs checked. */
  const verifyLeaf = async (name: string, caId: string) => {
    // Both full CRLs in one file: openssl -crl_check_all wants a CRL for every certificate of the chain.
    const crls = (await get(`crl/${rootId}/pem`, null)).body + (await get(`crl/${caId}/pem`, null)).body;
    return openssl([
      'verify',
      '-crl_check_all',
      '-CAfile',
      join(dir, 'root.pem'),
      '-untrusted',
      join(dir, `${name}-int.pem`),
      '-CRLfile',
      file(`${name}-crls.pem`, crls),
      join(dir, `${name}.pem`),
    ]);
  };

  beforeAll(async () => {
    primary = await startPrimary('pki-subca');
    base = primary.baseUrl;
    admin = await login(base, primary.admin.email, primary.admin.password);
    dir = mkdtempSync(join(tmpdir(), 'mazevault-subca-e2e-'));
    const root = await post('cas/root', {
      name: 'root',
      subject: { commonName: 'SubCA Test Root' },
      ttlSeconds: 3650 * 86400,
    });
    rootId = root.body.id;
    file('root.pem', root.body.certificatePem);
    const int = await post('cas/intermediate', {
      name: 'issuing',
      parentId: rootId,
      subject: { commonName: 'SubCA Test Issuing' },
      ttlSeconds: 365 * 86400,
    });
    expect(int.status).toBe(201);
    intId = int.body.id;
    intSerial = serialOf(file('int.pem', int.body.certificatePem));
    await post('profiles', {
      name: 'svc',
      caId: intId,
      definition: { allowedDomains: ['svc.test'], allowSubdomains: true, maxTtlSeconds: 86400 },
    });
    const leaf = await post('issue', { profile: 'svc', commonName: 'a.svc.test' });
    expect(leaf.status).toBe(201);
    leafSerial = leaf.body.serial;
    file('leaf.pem', leaf.body.certificatePem);
    officer = await userWithRole('security-officer');
    const project = await call(base, 'POST', '/api/v1/projects', {
      token: admin,
      body: { slug: 'subca-team', name: 'Sub-CA team' },
    });
    projectAdmin = await userWithRole('project-admin', project.body.id);
    responder = await startResponder({
      DATABASE_URL: primary.config.DATABASE_URL,
      REDIS_URL: primary.config.REDIS_URL,
      REDIS_KEY_PREFIX: primary.config.REDIS_KEY_PREFIX,
      MASTER_KEY: primary.config.MASTER_KEY!,
      OCSP_REFRESH_SECONDS: '600',
    });
  }, 90_000);
  afterAll(async () => {
    responder?.child.kill('SIGTERM');
    await primary?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists a sub-CA's certificate in the inventory under its parent, and keeps it off the leaf revoke path", async () => {
    const found = await get(`certificates/${intSerial}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      serial: intSerial,
      caId: rootId,
      subjectCaId: intId,
      status: 'good',
      commonName: 'SubCA Test Issuing',
      profileId: null,
    });
    expect(found.body.certificatePem.replace(/\s/g, '')).toBe(
      (await get(`cas/${intId}`)).body.certificatePem.replace(/\s/g, ''),
    );
    // Other tests add sub-CAs of their own under the root: this one has exactly one row, and the root issued only sub-CAs.
    const underRoot = (await get(`certificates?ca=${rootId}`)).body.items as {
      serial: string;
      subjectCaId: string | null;
    }[];
    expect(underRoot.filter((c) => c.subjectCaId === intId).map((c) => c.serial)).toEqual([intSerial]);
    expect(underRoot.filter((c) => c.subjectCaId === null)).toEqual([]);
    expect((await get(`certificates/${leafSerial}`)).body.subjectCaId).toBeNull();

    const asLeaf = await post(`certificates/${intSerial}/revoke`, { reason: 'keyCompromise' });
    expect(asLeaf.status).toBe(409);
    expect(asLeaf.body.code).toBe('ca_certificate');
    expect(ocspIntermediate()).toContain(`${join(dir, 'int.pem')}: good`);
  });

  it('refuses a sub-CA that would outlive its issuer (400 ttl_exceeds_issuer) instead of cutting it short', async () => {
    const shortRoot = await post('cas/root', {
      name: 'short-root',
      subject: { commonName: 'Short Root' },
      ttlSeconds: 30 * 86400,
      ocspSignerKeyType: 'none',
    });
    const tooLong = await post('cas/intermediate', {
      name: 'too-long',
      parentId: shortRoot.body.id,
      subject: { commonName: 'Too Long' },
      ttlSeconds: 31 * 86400,
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('ttl_exceeds_issuer');
    expect(tooLong.body.detail).toContain(shortRoot.body.notAfter);
    const fits = await post('cas/intermediate', {
      name: 'fits',
      parentId: shortRoot.body.id,
      subject: { commonName: 'Fits' },
      ttlSeconds: 29 * 86400,
    });
    expect(fits.status).toBe(201);
    expect(new Date(fits.body.notAfter).getTime()).toBeLessThanOrEqual(
      new Date(shortRoot.body.notAfter).getTime(),
    );
  });

  it('revokes only with pki:manage and a reason; roots and unknown CAs are refused precisely', async () => {
    expect((await post(`cas/${intId}/revoke`, { reason: 'cACompromise' }, projectAdmin)).status).toBe(403);
    const noReason = await post(`cas/${intId}/revoke`, {}, officer);
    expect(noReason.status).toBe(400);
    expect((await post(`cas/${intId}/revoke`, { reason: 'certificateHold' }, officer)).status).toBe(400);
    const root = await post(`cas/${rootId}/revoke`, { reason: 'cACompromise' }, officer);
    expect(root.status).toBe(409);
    expect(root.body.code).toBe('ca_is_root');
    expect(
      (await post(`cas/00000000-0000-4000-8000-000000000000/revoke`, { reason: 'cACompromise' }, officer))
        .status,
    ).toBe(404);
    expect((await get(`cas/${intId}`)).body.status).toBe('active');
  });

  it("revokes a sub-CA: parent's CRL and OCSP say revoked, openssl -crl_check_all rejects its leaf, it issues nothing, its issued certificates are reported", async () => {
    // Its own sub-CA, profile and leaf: the shared intermediate stays active for the other tests.
    const int = await post('cas/intermediate', {
      name: 'doomed',
      parentId: rootId,
      subject: { commonName: 'SubCA Doomed Issuing' },
      ttlSeconds: 365 * 86400,
    });
    expect(int.status).toBe(201);
    const doomedId: string = int.body.id;
    const doomedSerial = serialOf(file('doomed-int.pem', int.body.certificatePem));
    expect(
      (
        await post('profiles', {
          name: 'doomed',
          caId: doomedId,
          definition: { allowedDomains: ['svc.test'], allowSubdomains: true, maxTtlSeconds: 86400 },
        })
      ).status,
    ).toBe(201);
    const leaf = await post('issue', { profile: 'doomed', commonName: 'a.svc.test' });
    expect(leaf.status).toBe(201);
    const doomedLeafSerial: string = leaf.body.serial;
    file('doomed.pem', leaf.body.certificatePem);
    expect((await verifyLeaf('doomed', doomedId)).output).toContain(': OK');

    expect((await post(`cas/${doomedId}/revoke`, { reason: 'cACompromise' }, projectAdmin)).status).toBe(403); // audited as denied

    const revoked = await post(`cas/${doomedId}/revoke`, { reason: 'cACompromise' }, officer);
    expect(revoked.status).toBe(200);
    expect(revoked.body.ca).toMatchObject({ id: doomedId, status: 'revoked' });
    expect(revoked.body.certificate).toMatchObject({
      issuerCaId: rootId,
      serial: doomedSerial,
      revocationReason: 'cACompromise',
    });
    expect(revoked.body.issued).toMatchObject({ stillValid: 1, subordinateCaIds: [] });
    const listed = await call(base, 'GET', revoked.body.issued.list, { token: admin });
    expect(listed.body.items.map((c: { serial: string }) => c.serial)).toEqual([doomedLeafSerial]);
    // Reported, not mass-revoked.
    expect((await get(`certificates/${doomedLeafSerial}`)).body.status).toBe('good');
    expect((await get(`certificates/${doomedSerial}`)).body).toMatchObject({
      status: 'revoked',
      revocationReason: 'cACompromise',
    });

    const rootCrl = openssl([
      'crl',
      '-noout',
      '-text',
      '-in',
      file('root-crl.pem', (await get(`crl/${rootId}/pem`, null)).body),
    ]).output;
    expect(rootCrl).toContain(`Serial Number: ${doomedSerial.toUpperCase()}`);
    expect(rootCrl).toContain('CA Compromise');
    const verify = await verifyLeaf('doomed', doomedId);
    expect(verify.status).not.toBe(0);
    expect(verify.output).toContain('certificate revoked');

    // The parent's OCSP, through the real responder process (nonce: answered from the database).
    const ocsp = ocspIntermediate('doomed-int.pem');
    expect(ocsp).toContain('Response verify OK');
    expect(ocsp).toContain(`${join(dir, 'doomed-int.pem')}: revoked`);
    expect(ocsp).toContain('Reason: cACompromise');

    const issue = await post('issue', { profile: 'doomed', commonName: 'b.svc.test' });
    expect(issue.status).toBe(409);
    expect(issue.body.code).toBe('ca_revoked');
    const child = await post('cas/intermediate', {
      name: 'under-revoked',
      parentId: doomedId,
      subject: { commonName: 'Under Revoked' },
      ttlSeconds: 86400,
    });
    expect(child.status).toBe(409);
    expect(child.body.code).toBe('ca_revoked');
    expect((await post(`cas/${doomedId}/revoke`, { reason: 'cACompromise' }, officer)).body.code).toBe(
      'already_revoked',
    );

    const events = await primary.dataSource.getRepository(AuditEventEntity).find({ order: { id: 'ASC' } });
    expect(events.filter((e) => e.action === 'ca.revoke').map((e) => e.outcome)).toEqual(
      expect.arrayContaining(['denied', 'success']),
    );
    const impact = events.find(
      (e) =>
        e.action === 'ca.revoke.impact' && (e.details as { serial?: string } | null)?.serial === doomedSerial,
    );
    expect(impact?.details).toMatchObject({
      issuerCaId: rootId,
      serial: doomedSerial,
      reason: 'cACompromise',
      stillValidIssued: 1,
      subordinateCaIds: [],
    });
  });

  it('the database refuses what a CA revoked elsewhere still signs (another replica keeps it loaded)', async () => {
    const other = await post('cas/intermediate', {
      name: 'other',
      parentId: rootId,
      subject: { commonName: 'Other Issuing' },
      ttlSeconds: 30 * 86400,
    });
    await post('profiles', {
      name: 'other',
      caId: other.body.id,
      definition: { allowedDomains: ['other.test'], allowSubdomains: true, maxTtlSeconds: 86400 },
    });
    expect((await post('issue', { profile: 'other', commonName: 'a.other.test' })).status).toBe(201); // loaded in this process now
    // What another replica's revocation leaves behind: the row, not this process's cache.
    await primary.dataSource.query(`UPDATE certificate_authorities SET status = 'revoked' WHERE id = $1`, [
      other.body.id,
    ]);
    const refused = await post('issue', { profile: 'other', commonName: 'b.other.test' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ca_revoked');
    expect(await primary.dataSource.getRepository(CertificateEntity).countBy({ caId: other.body.id })).toBe(
      1,
    );
  });

  it('backfills the inventory row of a sub-CA created before it existed (the migration step), idempotently', async () => {
    const created = await post('cas/intermediate', {
      name: 'backfilled',
      parentId: rootId,
      subject: { commonName: 'Backfilled Issuing' },
      ttlSeconds: 30 * 86400,
    });
    expect(created.status).toBe(201);
    const other = await get(`certificates?ca=${rootId}&status=good`);
    const row = other.body.items.find((c: { commonName: string }) => c.commonName === 'Backfilled Issuing');
    await primary.dataSource.query('DELETE FROM certificates WHERE subject_ca_id = $1', [row.subjectCaId]);
    expect((await get(`certificates/${row.serial}`)).status).toBe(404);
    expect(await backfillCaCertificates(primary.dataSource)).toBe(1);
    expect(await backfillCaCertificates(primary.dataSource)).toBe(0);
    const restored = await get(`certificates/${row.serial}`);
    expect(restored.body).toEqual({ ...row, createdAt: expect.any(String) });
  });
});
