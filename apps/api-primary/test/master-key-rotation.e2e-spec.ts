import { EnvMasterKeyProvider, MasterKeyRing } from '@mazevault/crypto';
import { ProjectKeyEntity } from '@mazevault/persistence';
import { randomBytes } from 'node:crypto';
import { rotateProjectKeks } from '../src/secrets/master-key-rotation.service';
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
    first = await startPrimary('mkrotate', { MASTER_KEY: oldKey });
    const token = await login(first.baseUrl, first.admin.email, first.admin.password);
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
  });
});
