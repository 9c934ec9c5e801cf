import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  DecryptionError,
  type EncryptedSecretValue,
  encryptSecretValue,
  openSecretValue,
  parseEncryptedValue,
  serializeEncryptedValue,
  type SecretVersionContext,
  unwrapDataKey,
} from '@mazevault/crypto';
import { isUniqueViolation, SecretEntity, SecretVersionEntity } from '@mazevault/persistence';
import { CacheInvalidationBus, CLOCK, type Clock, ProblemException, TtlCache } from '@mazevault/platform';
import { DataSource, type EntityManager, In, IsNull, LessThanOrEqual } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import type { SecretScope } from '../projects/secret-scope.service';
import { ProjectKeysService } from './project-keys.service';
import { childrenUnder, insideAllowedMounts, normalizePrefix, validateSecretPath } from './secret-path.util';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface SecretVersionView {
  version: number;
  createdAt: string;
  deletedAt: string | null;
  destroyed: boolean;
  enabled: boolean;
}

export interface SecretMetadataView {
  path: string;
  currentVersion: number;
  maxVersions: number;
  customMetadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  versions: SecretVersionView[];
}

export interface SecretReadView {
  path: string;
  version: number;
  createdAt: string;
  value: JsonValue;
  customMetadata: Record<string, string>;
}

/** Who acts, for the audit events the service writes inside its own transactions. */
export interface Actor {
  type: string;
  id: string;
  requestId?: string;
}

export interface WriteOptions {
  /** Check-and-set: the version the caller believes is current (0 = must not exist yet). */
  cas?: number;
  customMetadata?: Record<string, string>;
}

/**
 * The Primary's own secret store: versioned, envelope-encrypted values (a fresh data key per version,
 * AAD-bound to org/project/environment/secret/version), check-and-set, soft delete / undelete /
 * destroy, metadata. Plaintext exists only in memory between the HTTP body and the cipher.
 */
export const SECRET_CACHE = 'secret';
const SECRET_CACHE_TTL_MS = 5_000;

interface CachedVersion {
  secret: SecretEntity;
  row: SecretVersionEntity;
  /** The row's ciphertext, parsed once (still ciphertext: decrypted per request, never cached). */
  encrypted: EncryptedSecretValue | null;
  /**
   * The version's data key once unwrapped, like the project KEK kept in memory: a hot read then costs
   * one AES-GCM open instead of two. Lives only as long as the entry (seconds, or until a write).
   */
  dataKey?: Buffer;
}

@Injectable()
export class SecretsService implements OnModuleInit {
  /**
   * Ciphertext rows of recent reads (never plaintext: values are decrypted per request), so a hot
   * secret costs no query. Every mutation drops the path here and, via the bus, on other replicas.
   */
  private readonly versions = new TtlCache<CachedVersion>(SECRET_CACHE_TTL_MS, 20_000);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PRIMARY_CONFIG) private readonly config: PrimaryConfig,
    private readonly keys: ProjectKeysService,
    private readonly audit: AuditService,
    private readonly bus: CacheInvalidationBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.on(SECRET_CACHE, (prefix) => this.versions.deletePrefix(prefix));
  }

  // The whole scope is in the key: a cached row is only ever served to the place that loaded it.
  private cacheKey(scope: SecretScope, path: string): string {
    return `${scope.organizationId}\u0000${scope.projectId}\u0000${scope.environmentId}\u0000${path}\u0000`;
  }

  private invalidate(scope: SecretScope, path: string): Promise<void> {
    return this.bus.invalidate(SECRET_CACHE, this.cacheKey(scope, path));
  }

  private loadVersion(scope: SecretScope, path: string, version: number | undefined): Promise<CachedVersion> {
    const key = this.cacheKey(scope, path) + (version ?? 'latest');
    return this.versions.getOrLoad(key, async () => {
      const secret = await this.dataSource.getRepository(SecretEntity).findOneBy(secretWhere(scope, path));
      if (!secret || secret.currentVersion === 0) throw notFound(path);
      const wanted = version ?? secret.currentVersion;
      const row = await this.dataSource
        .getRepository(SecretVersionEntity)
        .findOneBy({ secretId: secret.id, version: wanted });
      if (!row)
        throw new ProblemException(
          404,
          'secret_version_not_found',
          `Secret "${path}" has no version ${wanted}`,
        );
      return { secret, row, encrypted: row.ciphertext ? parseEncryptedValue(row.ciphertext) : null };
    });
  }

  async write(
    scope: SecretScope,
    path: string,
    value: JsonValue,
    options: WriteOptions = {},
  ): Promise<{ path: string; version: number; createdAt: string }> {
    this.checkPath(path);
    const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
    if (plaintext.length > this.config.SECRET_MAX_BYTES) {
      throw new ProblemException(
        413,
        'secret_too_large',
        `Secret values are limited to ${this.config.SECRET_MAX_BYTES} bytes of JSON`,
      );
    }
    const kek = await this.keys.active(scope.organizationId, scope.projectId);
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        let secret = await this.lockSecret(manager, scope, path);
        if (options.cas !== undefined && options.cas !== (secret?.currentVersion ?? 0)) {
          throw new ProblemException(
            409,
            'cas_mismatch',
            `check-and-set expected version ${options.cas}, current is ${secret?.currentVersion ?? 0}`,
          );
        }
        secret ??= await manager.save(
          SecretEntity,
          manager.create(SecretEntity, {
            ...scopeParams(scope),
            path,
            currentVersion: 0,
            customMetadata: {},
          }),
        );
        const version = secret.currentVersion + 1;
        const encrypted = encryptSecretValue(plaintext, this.context(scope, secret.id, version), kek);
        const row = await manager.save(
          SecretVersionEntity,
          manager.create(SecretVersionEntity, {
            secretId: secret.id,
            version,
            ciphertext: serializeEncryptedValue(encrypted),
            deletedAt: null,
            destroyedAt: null,
          }),
        );
        await manager.update(
          SecretEntity,
          { id: secret.id },
          {
            currentVersion: version,
            ...(options.customMetadata
              ? { customMetadata: { ...secret.customMetadata, ...options.customMetadata } }
              : {}),
          },
        );
        if (secret.maxVersions > 0 && version > secret.maxVersions) {
          // Beyond max_versions the oldest versions are destroyed (ciphertext wiped), as in Vault KV v2.
          await manager.update(
            SecretVersionEntity,
            {
              secretId: secret.id,
              version: LessThanOrEqual(version - secret.maxVersions),
              destroyedAt: IsNull(),
            },
            { ciphertext: null, destroyedAt: this.clock.now() },
          );
        }
        return { path, version, createdAt: row.createdAt.toISOString() };
      });
      await this.invalidate(scope, path);
      return result;
    } catch (error) {
      // Two first writes of one path raced; the loser retries (and then sees the winner's version).
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'conflict', `A concurrent write created "${path}"; retry`);
      throw error;
    } finally {
      plaintext.fill(0);
    }
  }

  async read(scope: SecretScope, path: string, version?: number): Promise<SecretReadView> {
    this.checkPath(path);
    const cached = await this.loadVersion(scope, path, version);
    const { secret, row, encrypted } = cached;
    const wanted = row.version;
    if (row.destroyedAt || !encrypted)
      throw new ProblemException(
        404,
        'secret_version_destroyed',
        `Version ${wanted} of "${path}" was destroyed`,
      );
    if (row.deletedAt)
      throw new ProblemException(
        404,
        'secret_version_deleted',
        `Version ${wanted} of "${path}" is deleted (it can be undeleted)`,
      );
    const ctx = this.context(scope, secret.id, wanted);
    let plaintext: Buffer;
    try {
      cached.dataKey ??= unwrapDataKey(
        encrypted,
        ctx,
        await this.keys.get(scope.organizationId, scope.projectId, encrypted.kekVersion),
      );
      plaintext = openSecretValue(encrypted, ctx, cached.dataKey);
    } catch (error) {
      // Authentication failed: the row was altered or moved (AAD binds it to its own place).
      if (error instanceof DecryptionError) {
        throw new ProblemException(
          500,
          'secret_integrity_error',
          `Version ${wanted} of "${path}" failed its integrity check; it was altered or copied from elsewhere`,
        );
      }
      throw error;
    }
    try {
      return {
        path,
        version: wanted,
        createdAt: row.createdAt.toISOString(),
        value: JSON.parse(plaintext.toString('utf8')) as JsonValue,
        customMetadata: secret.customMetadata,
      };
    } finally {
      plaintext.fill(0);
    }
  }

  /** Immediate children of a folder: `["db", "api/"]`. */
  async list(scope: SecretScope, prefix?: string): Promise<string[]> {
    const folder = normalizePrefix(prefix);
    const rows: { path: string }[] = await this.dataSource
      .getRepository(SecretEntity)
      .createQueryBuilder('s')
      .select('s.path', 'path')
      .where(SCOPED, scopeParams(scope))
      .andWhere('s.current_version > 0')
      .andWhere("s.path LIKE :pattern ESCAPE '\\'", { pattern: folder.replace(/[\\%_]/g, '\\$&') + '%' })
      .getRawMany();
    return childrenUnder(
      folder,
      rows.map((r) => r.path).filter((p) => insideAllowedMounts(p, this.config.TENANT_ALLOWED_MOUNTS)),
    );
  }

  /**
   * Secrets whose current version is live (not deleted or destroyed), under an optional path prefix,
   * sorted by path. What the SecretStore interface lists: soft-deleted secrets are hidden.
   */
  async liveSecrets(scope: SecretScope, prefix = ''): Promise<SecretEntity[]> {
    const rows = await this.dataSource
      .getRepository(SecretEntity)
      .createQueryBuilder('s')
      .innerJoin(SecretVersionEntity, 'v', 'v.secret_id = s.id AND v.version = s.current_version')
      .where(SCOPED, scopeParams(scope))
      .andWhere('v.deleted_at IS NULL AND v.destroyed_at IS NULL')
      .andWhere("s.path LIKE :pattern ESCAPE '\\'", { pattern: prefix.replace(/[\\%_]/g, '\\$&') + '%' })
      .orderBy('s.path', 'ASC')
      .getMany();
    return rows.filter((r) => insideAllowedMounts(r.path, this.config.TENANT_ALLOWED_MOUNTS));
  }

  /** Soft-deletes versions (default: the current one); each deletion is audited in the same transaction. */
  softDelete(scope: SecretScope, path: string, actor: Actor, versions?: number[] | 'all'): Promise<number[]> {
    return this.changeVersions(scope, path, versions, async (manager, secret, targets) => {
      const live = targets.filter((v) => !v.deletedAt && !v.destroyedAt);
      if (!live.length) return [];
      await manager.update(
        SecretVersionEntity,
        { secretId: secret.id, version: In(live.map((v) => v.version)) },
        { deletedAt: this.clock.now() },
      );
      for (const v of live) {
        await this.audit.record(
          {
            organizationId: scope.organizationId,
            actorType: actor.type,
            actorId: actor.id,
            action: 'secret.version.delete',
            resourceType: 'secret',
            resourceRef: `azure://vault/${path}`,
            outcome: 'success',
            requestId: actor.requestId ?? null,
            details: {
              credential_id: `azure://vault/${path}`,
              version: v.version,
              projectId: scope.projectId,
              environmentId: scope.environmentId,
            },
          },
          manager,
        );
      }
      return live.map((v) => v.version);
    });
  }

  undelete(scope: SecretScope, path: string, versions: number[]): Promise<number[]> {
    return this.changeVersions(scope, path, versions, async (manager, secret, targets) => {
      const restorable = targets.filter((v) => v.deletedAt && !v.destroyedAt).map((v) => v.version);
      if (restorable.length)
        await manager.update(
          SecretVersionEntity,
          { secretId: secret.id, version: In(restorable) },
          { deletedAt: null },
        );
      return restorable;
    });
  }

  destroy(scope: SecretScope, path: string, versions: number[]): Promise<number[]> {
    return this.changeVersions(scope, path, versions, async (manager, secret, targets) => {
      const destroyable = targets.filter((v) => !v.destroyedAt).map((v) => v.version);
      if (destroyable.length) {
        await manager.update(
          SecretVersionEntity,
          { secretId: secret.id, version: In(destroyable) },
          { ciphertext: null, destroyedAt: this.clock.now() },
        );
      }
      return destroyable;
    });
  }

  async metadata(scope: SecretScope, path: string): Promise<SecretMetadataView> {
    this.checkPath(path);
    const secret = await this.dataSource.getRepository(SecretEntity).findOneBy(secretWhere(scope, path));
    if (!secret) throw notFound(path);
    const versions = await this.dataSource
      .getRepository(SecretVersionEntity)
      .find({ where: { secretId: secret.id }, order: { version: 'ASC' } });
    return {
      path,
      currentVersion: secret.currentVersion,
      maxVersions: secret.maxVersions,
      customMetadata: secret.customMetadata,
      createdAt: secret.createdAt.toISOString(),
      updatedAt: secret.updatedAt.toISOString(),
      versions: versions.map((v) => ({
        version: v.version,
        createdAt: v.createdAt.toISOString(),
        deletedAt: v.deletedAt?.toISOString() ?? null,
        destroyed: v.destroyedAt !== null,
        enabled: !v.deletedAt && !v.destroyedAt,
      })),
    };
  }

  async updateMetadata(
    scope: SecretScope,
    path: string,
    patch: { customMetadata?: Record<string, string>; mode: 'merge' | 'replace'; maxVersions?: number },
  ): Promise<SecretMetadataView> {
    this.checkPath(path);
    await this.dataSource.transaction(async (manager) => {
      const secret = await this.lockSecret(manager, scope, path);
      if (!secret) throw notFound(path);
      const customMetadata = patch.customMetadata
        ? patch.mode === 'merge'
          ? { ...secret.customMetadata, ...patch.customMetadata }
          : patch.customMetadata
        : secret.customMetadata;
      await manager.update(
        SecretEntity,
        { id: secret.id },
        { customMetadata, ...(patch.maxVersions !== undefined ? { maxVersions: patch.maxVersions } : {}) },
      );
    });
    await this.invalidate(scope, path);
    return this.metadata(scope, path);
  }

  /** Removes the secret, every version and its metadata, for good. */
  async deleteAll(scope: SecretScope, path: string): Promise<void> {
    this.checkPath(path);
    const result = await this.dataSource.getRepository(SecretEntity).delete(secretWhere(scope, path));
    if (!result.affected) throw notFound(path);
    await this.invalidate(scope, path);
  }

  private async changeVersions(
    scope: SecretScope,
    path: string,
    versions: number[] | 'all' | undefined,
    change: (
      manager: EntityManager,
      secret: SecretEntity,
      targets: SecretVersionEntity[],
    ) => Promise<number[]>,
  ): Promise<number[]> {
    this.checkPath(path);
    const changed = await this.dataSource.transaction(async (manager) => {
      const secret = await this.lockSecret(manager, scope, path);
      if (!secret || secret.currentVersion === 0) throw notFound(path);
      if (versions === 'all')
        return change(manager, secret, await manager.findBy(SecretVersionEntity, { secretId: secret.id }));
      const wanted = versions?.length ? versions : [secret.currentVersion];
      const targets = await manager.findBy(SecretVersionEntity, { secretId: secret.id, version: In(wanted) });
      const missing = wanted.filter((v) => !targets.some((t) => t.version === v));
      if (missing.length)
        throw new ProblemException(
          404,
          'secret_version_not_found',
          `Secret "${path}" has no version ${missing.join(', ')}`,
        );
      return change(manager, secret, targets);
    });
    await this.invalidate(scope, path);
    return changed;
  }

  /** The secret row locked for the rest of the transaction (serializes writers of one secret). */
  private async lockSecret(
    manager: EntityManager,
    scope: SecretScope,
    path: string,
  ): Promise<SecretEntity | null> {
    return manager.getRepository(SecretEntity).findOne({
      where: secretWhere(scope, path),
      lock: { mode: 'pessimistic_write' },
    });
  }

  private checkPath(path: string): void {
    validateSecretPath(path);
    if (!insideAllowedMounts(path, this.config.TENANT_ALLOWED_MOUNTS)) {
      throw new ProblemException(
        403,
        'mount_not_allowed',
        'This path is outside the mounts this tenant may use (TENANT_ALLOWED_MOUNTS)',
      );
    }
  }

  private context(scope: SecretScope, secretId: string, version: number): SecretVersionContext {
    return {
      organizationId: scope.organizationId,
      projectId: scope.projectId,
      environmentId: scope.environmentId,
      secretId,
      version,
    };
  }
}

/** Every secrets query names the organization, the project and the environment, not the environment alone. */
function secretWhere(scope: SecretScope, path: string) {
  return {
    organizationId: scope.organizationId,
    projectId: scope.projectId,
    environmentId: scope.environmentId,
    path,
  };
}

const SCOPED =
  's.organization_id = :organizationId AND s.project_id = :projectId AND s.environment_id = :environmentId';

function scopeParams(scope: SecretScope) {
  return {
    organizationId: scope.organizationId,
    projectId: scope.projectId,
    environmentId: scope.environmentId,
  };
}

function notFound(path: string): ProblemException {
  return new ProblemException(404, 'secret_not_found', `No secret at "${path}"`);
}
