import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { ProjectKeyEntity } from '@mazevault/persistence';
import { randomBytes } from 'node:crypto';
import { rotateProjectKeks, rotateSealedKeys } from '../src/secrets/master-key-rotation.service';
import { call, login, type PrimaryTestApp, startPrimary } from './primary-test-app';

describe('master-key rotation (real PostgreSQL)', () => {
  let first: PrimaryTestApp | undefined;
  let second: PrimaryTestApp | undefined;
  afterAll(async () => {
    await second?.close();
    await first?.close(); // owns the database the second Primary shared
  });

  it('rewraps project keys resumably without touching values; the new key alone then reads everything', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    // The gateway listener on: the platform CA, its listener key and the E2EE keys are sealed too.
    const listener = { GATEWAY_LISTEN_PORT: '0', GATEWAY_LISTEN_HOST: '127.0.0.1' };
    first = await startPrimary('mkrotate', { MASTER_KEY: oldKey, ...listener });
    const token = await login(first.baseUrl, first.admin.email, first.admin.password);
    const pki = (base: string, auth: string, path: string, body: unknown) =>
      call(base, 'POST', `/api/v1/pki/${path}`, { token: auth, body });
    const root = await pki(first.baseUrl, token, 'cas/root', {
      name: 'mk-root',
      subject: { commonName: 'MK Root' },
      ttlSeconds: 3650 * 86400,
      pathLength: 1,
    });
    const issuing = await pki(first.baseUrl, token, 'cas/intermediate', {
      name: 'mk-issuing',
      parentId: root.body.id,
      subject: { commonName: 'MK Issuing' },
      ttlSeconds: 365 * 86400,
    });
    expect(
      (
        await pki(first.baseUrl, token, 'profiles', {
          name: 'mk-web',
          caId: issuing.body.id,
          definition: { allowedDomains: ['mk.test'], allowSubdomains: true, maxTtlSeconds: 86400 },
        })
      ).status,
    ).toBe(201);
    for (const slug of ['alpha', 'beta']) {
      expect(
        (await call(first.baseUrl, 'POST', '/api/v1/projects', { token, body: { slug, name: slug } })).status,
      ).toBe(201);
      await call(first.baseUrl, 'PUT', `/api/v1/projects/${slug}/environments/prod/secrets/app/db`, {
        token,
        body: { value: { password: `pw-${slug}` } },
      });
    }
    const valuesBefore = await first.dataSource.query(
      'SELECT secret_id, version, ciphertext FROM secret_versions ORDER BY secret_id',
    );
    const ring = new MasterKeyRing(new EnvMasterKeyProvider({ value: newKey }), [
      new EnvMasterKeyProvider({ value: oldKey }),
    ]);

    // Interrupted after one key: the next run finishes the job and skips what is done.
    expect(await rotateProjectKeks(first.dataSource, ring, { limit: 1 })).toMatchObject({
      rewrapped: 1,
      remaining: 1,
    });
    expect(await rotateProjectKeks(first.dataSource, ring)).toMatchObject({ rewrapped: 1, remaining: 0 });
    expect(await rotateProjectKeks(first.dataSource, ring)).toMatchObject({ rewrapped: 0, remaining: 0 });

    // Every private key at rest too (CAs, the platform CA and its listener, the E2EE keys); resumable.
    expect(await rotateSealedKeys(first.dataSource, ring, { limit: 1 })).toMatchObject({ failed: 0 });
    expect(await rotateSealedKeys(first.dataSource, ring)).toMatchObject({ failed: 0, remaining: 0 });
    expect(await rotateSealedKeys(first.dataSource, ring)).toMatchObject({ rewrapped: 0, remaining: 0 });

    const keys = await first.dataSource.getRepository(ProjectKeyEntity).find();
    expect(new Set(keys.map((k) => k.masterKeyId))).toEqual(new Set([ring.active.id]));
    expect(
      await first.dataSource.query(
        'SELECT secret_id, version, ciphertext FROM secret_versions ORDER BY secret_id',
      ),
    ).toEqual(valuesBefore);

    // A fresh Primary with only the new master key decrypts every value.
    second = await startPrimary('mkrotate2', {
      MASTER_KEY: newKey,
      DATABASE_URL: first.config.DATABASE_URL,
      ADMIN_EMAIL: first.admin.email,
      ...listener,
    });
    const token2 = await login(second.baseUrl, first.admin.email, first.admin.password);
    for (const slug of ['alpha', 'beta']) {
      const read = await call(
        second.baseUrl,
        'GET',
        `/api/v1/projects/${slug}/environments/prod/secrets/app/db`,
        { token: token2 },
      );
      expect(read.body.value).toEqual({ password: `pw-${slug}` });
    }
    // ...and signs with the CA keys sealed under the old one (the listener above opened the platform CA's).
    expect(
      (await pki(second.baseUrl, token2, 'issue', { profile: 'mk-web', commonName: 'svc.mk.test' })).status,
    ).toBe(201);
  });
});
