import type { ProjectKek } from '@mazevault/crypto';
import { SecretEntity, SecretVersionEntity } from '@mazevault/persistence';
import { ProblemException } from '@mazevault/platform';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { type CacheInvalidationBus, systemClock } from '@mazevault/platform';
import type { PrimaryConfig } from '../config/primary.config';
import type { SecretScope } from '../projects/secret-scope.service';
import type { ProjectKeysService } from './project-keys.service';
import { SecretsService } from './secrets.service';

/**
 * Unit: the tables are in-memory arrays behind a stand-in DataSource/EntityManager, the project key
 * is a random one; the envelope encryption, check-and-set, validation and caching are the real code.
 * (Row locking and concurrent writers need PostgreSQL: secrets-concurrency.e2e-spec.ts.)
 */
const scope: SecretScope = {
  organizationId: 'org-1',
  projectId: 'project-1',
  environmentId: 'env-1',
} as SecretScope;
const kek: ProjectKek = {
  organizationId: 'org-1',
  projectId: 'project-1',
  kekVersion: 1,
  key: randomBytes(32),
} as ProjectKek;

function setup(config: Partial<PrimaryConfig> = {}) {
  const secrets: SecretEntity[] = [];
  const versions: SecretVersionEntity[] = [];
  let failSaveWith: unknown;
  const matches = (row: object, where: object) =>
    Object.entries(where).every(([k, v]) => (row as Record<string, unknown>)[k] === v);
  const manager = {
    getRepository: () => ({
      findOne: async ({ where }: { where: object }) => secrets.find((s) => matches(s, where)) ?? null,
    }),
    create: (_entity: unknown, fields: object) => ({ ...fields }),
    save: async (entity: unknown, row: Record<string, unknown>) => {
      if (failSaveWith) throw failSaveWith;
      if (entity === SecretEntity) {
        const saved = {
          id: `secret-${secrets.length + 1}`,
          maxVersions: 10,
          createdAt: new Date(),
          updatedAt: new Date(),
          ...row,
        } as unknown as SecretEntity;
        secrets.push(saved);
        return saved;
      }
      const saved = { createdAt: new Date(), ...row } as unknown as SecretVersionEntity;
      versions.push(saved);
      return saved;
    },
    update: async (entity: unknown, where: { id?: string }, fields: object) => {
      if (entity === SecretEntity)
        Object.assign(
          secrets.find((s) => s.id === where.id)!,
          fields,
        );
    },
  };
  const dataSource = {
    transaction: async (work: (m: typeof manager) => Promise<unknown>) => work(manager),
    getRepository: (entity: unknown) => ({
      findOneBy: async (where: object) =>
        ((entity === SecretEntity ? secrets : versions) as object[]).find((r) => matches(r, where)) ?? null,
    }),
  } as unknown as DataSource;
  const keys = {
    active: jest.fn(async () => kek),
    get: jest.fn(async () => kek),
  } as unknown as ProjectKeysService;
  const handlers = new Map<string, (key: string) => void>();
  const bus = {
    on: (namespace: string, handler: (key: string) => void) => handlers.set(namespace, handler),
    invalidate: jest.fn(async (namespace: string, key: string) => handlers.get(namespace)?.(key)),
  } as unknown as CacheInvalidationBus;
  const service = new SecretsService(
    dataSource,
    { SECRET_MAX_BYTES: 1024, TENANT_ALLOWED_MOUNTS: [], ...config } as unknown as PrimaryConfig,
    keys,
    {} as AuditService,
    bus,
    systemClock,
  );
  service.onModuleInit();
  return { service, secrets, versions, keys, bus, failNextSave: (error: unknown) => (failSaveWith = error) };
}

async function problem(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemException);
  return { status: (error as ProblemException).getStatus(), code: (error as ProblemException).code };
}

describe('SecretsService', () => {
  it('writes versions as ciphertext only and reads each back', async () => {
    const { service, versions } = setup();
    expect(await service.write(scope, 'app/db', { password: 'pw-1' })).toMatchObject({
      path: 'app/db',
      version: 1,
    });
    expect(await service.write(scope, 'app/db', { password: 'pw-2' })).toMatchObject({ version: 2 });
    expect(JSON.stringify(versions)).not.toContain('pw-');
    expect((await service.read(scope, 'app/db')).value).toEqual({ password: 'pw-2' });
    expect((await service.read(scope, 'app/db', 1)).value).toEqual({ password: 'pw-1' });
  });

  it('check-and-set: 0 means "must not exist", otherwise the current version', async () => {
    const { service } = setup();
    await service.write(scope, 'cas', 'a', { cas: 0 });
    expect(await problem(service.write(scope, 'cas', 'b', { cas: 0 }))).toMatchObject({
      status: 409,
      code: 'cas_mismatch',
    });
    expect(await problem(service.write(scope, 'cas', 'b', { cas: 2 }))).toMatchObject({
      status: 409,
      code: 'cas_mismatch',
    });
    expect(await service.write(scope, 'cas', 'b', { cas: 1 })).toMatchObject({ version: 2 });
    expect(await problem(service.write(scope, 'other', 'x', { cas: 1 }))).toMatchObject({
      status: 409,
      code: 'cas_mismatch',
    });
  });

  it('refuses a bad path, a value over SECRET_MAX_BYTES and a path outside the allowed mounts before any key or row is touched', async () => {
    const { service, keys, secrets } = setup({ TENANT_ALLOWED_MOUNTS: ['app'] } as Partial<PrimaryConfig>);
    expect((await problem(service.write(scope, 'app//x', 1))).code).toBe('invalid_secret_path');
    expect(await problem(service.write(scope, 'app/big', 'x'.repeat(2048)))).toMatchObject({
      status: 413,
      code: 'secret_too_large',
    });
    expect(await problem(service.write(scope, 'ops/x', 1))).toMatchObject({
      status: 403,
      code: 'mount_not_allowed',
    });
    expect(keys.active).not.toHaveBeenCalled();
    expect(secrets).toHaveLength(0);
  });

  it('answers a lost race to create a path as a 409 conflict to retry', async () => {
    const { service, failNextSave } = setup();
    failNextSave(Object.assign(new Error('duplicate key'), { code: '23505' }));
    expect(await problem(service.write(scope, 'first', 'x'))).toMatchObject({
      status: 409,
      code: 'conflict',
    });
  });

  it('drops a cached read on a write, so the next read sees the new version', async () => {
    const { service, bus } = setup();
    await service.write(scope, 'hot', 'v1');
    await service.read(scope, 'hot');
    const before = (bus.invalidate as jest.Mock).mock.calls.length;
    await service.write(scope, 'hot', 'v2');
    expect((bus.invalidate as jest.Mock).mock.calls.length).toBe(before + 1);
    expect((await service.read(scope, 'hot')).value).toBe('v2');
  });

  it('refuses a ciphertext moved onto another version (AAD binds it to its place) without revealing it', async () => {
    const { service, versions } = setup();
    await service.write(scope, 'aad', 'secret-one');
    await service.write(scope, 'aad', 'secret-two');
    versions[1].ciphertext = versions[0].ciphertext;
    const answer = await problem(service.read(scope, 'aad'));
    expect(answer).toMatchObject({ status: 500, code: 'secret_integrity_error' });
    expect(JSON.stringify(answer)).not.toContain('secret-one');
  });
});
