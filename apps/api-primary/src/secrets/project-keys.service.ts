import { Inject, Injectable } from '@nestjs/common';
import {
  createProjectKek,
  type MasterKeyRing,
  parseWrappedKek,
  type ProjectKek,
  serializeWrappedKek,
  unwrapProjectKek,
} from '@mazevault/crypto';
import { ProjectKeyEntity } from '@mazevault/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { MASTER_KEY_RING } from './secrets.tokens';

/**
 * Project key-encryption keys: created with the project, stored wrapped by the master key, unwrapped
 * once per process and kept in memory (a master-key unwrap per read would put the master key — maybe
 * a Key Vault call — on the hot path).
 */
@Injectable()
export class ProjectKeysService {
  private readonly unwrapped = new Map<string, Promise<ProjectKek>>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MASTER_KEY_RING) private readonly masters: MasterKeyRing,
  ) {}

  /** Creates KEK version 1 of a new project, inside the caller's transaction. */
  async createFor(manager: EntityManager, organizationId: string, projectId: string): Promise<void> {
    const { wrapped } = await createProjectKek({ organizationId, projectId, kekVersion: 1 }, this.masters);
    await manager.insert(ProjectKeyEntity, {
      projectId,
      kekVersion: 1,
      masterKeyId: wrapped.masterKeyId,
      wrappedKek: serializeWrappedKek(wrapped),
    });
  }

  /** The KEK new versions are encrypted with: the project's highest version. */
  async active(organizationId: string, projectId: string): Promise<ProjectKek> {
    const row = await this.dataSource
      .getRepository(ProjectKeyEntity)
      .findOne({ where: { projectId }, order: { kekVersion: 'DESC' } });
    if (!row) throw new Error(`project ${projectId} has no key-encryption key`);
    return this.get(organizationId, projectId, row.kekVersion, row);
  }

  get(
    organizationId: string,
    projectId: string,
    kekVersion: number,
    row?: ProjectKeyEntity,
  ): Promise<ProjectKek> {
    const cacheKey = `${projectId}:${kekVersion}`;
    let kek = this.unwrapped.get(cacheKey);
    if (!kek) {
      kek = this.unwrap(organizationId, projectId, kekVersion, row);
      kek.catch(() => this.unwrapped.delete(cacheKey));
      this.unwrapped.set(cacheKey, kek);
    }
    return kek;
  }

  private async unwrap(
    organizationId: string,
    projectId: string,
    kekVersion: number,
    row?: ProjectKeyEntity,
  ): Promise<ProjectKek> {
    const stored =
      row ??
      (await this.dataSource.getRepository(ProjectKeyEntity).findOneByOrFail({ projectId, kekVersion }));
    // The context comes from the row's key columns, never from the blob: a copied blob fails its AAD.
    return unwrapProjectKek(
      { organizationId, projectId, kekVersion },
      parseWrappedKek(stored.wrappedKek),
      this.masters,
    );
  }
}
