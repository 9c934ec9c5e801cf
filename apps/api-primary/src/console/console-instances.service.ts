import { Inject, Injectable } from '@nestjs/common';
import type { CreateConsoleInstanceRequest, UpsertConsoleConnectionRequest } from '@mazevault/contracts';
import { ConsoleInstanceEntity, isUniqueViolation } from '@mazevault/persistence';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import type { SecretStore } from '@mazevault/keyvault';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PRIMARY_CONFIG, type PrimaryConfig } from '../config/primary.config';
import { CONSOLE_SECRET_STORE } from './console-secret-store.provider';
import { RegistrationTokenReader } from './registration-token.reader';

export interface ConsoleInstanceView {
  id: string;
  name: string;
  tokenRef: string;
  dbUriRef: string | null;
  oidcClientSecretRef: string | null;
  tokenRotatedAt: string;
  createdAt: string;
}

const view = (row: ConsoleInstanceEntity): ConsoleInstanceView => ({
  id: row.id,
  name: row.name,
  tokenRef: row.tokenRef,
  dbUriRef: row.dbUriRef,
  oidcClientSecretRef: row.oidcClientSecretRef,
  tokenRotatedAt: row.tokenRotatedAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
});

/** The three vault key names of an instance (the seed's "Secrets Store Setup" pattern). */
export const instanceSecretNames = (id: string) => ({
  token: `instance-${id}`,
  dbUri: `instance-${id}-dburi`,
  oidcSecret: `instance-${id}-oidc-secret`,
});

const newToken = () => randomBytes(32).toString('base64url');

/**
 * Console instances: values in the secret store, key names in PostgreSQL. Writes go to the vault
 * first and the row second; if the row cannot be written, the vault secret just created is deleted
 * again, so no orphan is left behind.
 */
@Injectable()
export class ConsoleInstancesService {
  readonly tokens: RegistrationTokenReader;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CONSOLE_SECRET_STORE) private readonly store: SecretStore,
    @Inject(PRIMARY_CONFIG) config: PrimaryConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.tokens = new RegistrationTokenReader(store, config.CONSOLE_TOKEN_REFRESH_SECONDS * 1000);
  }

  async create(
    organizationId: string,
    request: CreateConsoleInstanceRequest,
  ): Promise<ConsoleInstanceView & { token: string }> {
    const id = request.id ?? randomBytes(6).toString('hex');
    const names = instanceSecretNames(id);
    const repo = this.dataSource.getRepository(ConsoleInstanceEntity);
    if (await repo.existsBy({ id }))
      throw new ProblemException(409, 'instance_exists', `Instance "${id}" already exists`);
    const token = newToken();
    await this.store.createCredentials(names.token, token);
    try {
      const row = await repo.save(
        repo.create({
          id,
          organizationId,
          name: request.name,
          tokenRef: names.token,
          dbUriRef: null,
          oidcClientSecretRef: null,
          tokenRotatedAt: this.clock.now(),
        }),
      );
      return { ...view(row), token };
    } catch (error) {
      await this.store.deleteCredentials(names.token).catch(() => undefined);
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'instance_exists', `Instance "${id}" already exists`);
      throw error;
    }
  }

  async get(organizationId: string, id: string): Promise<ConsoleInstanceView> {
    return view(await this.find(organizationId, id));
  }

  async upsertConnection(
    organizationId: string,
    id: string,
    request: UpsertConsoleConnectionRequest,
  ): Promise<ConsoleInstanceView> {
    const row = await this.find(organizationId, id);
    const names = instanceSecretNames(id);
    if (request.dbUri !== undefined) {
      await this.store.createCredentials(names.dbUri, request.dbUri);
      row.dbUriRef = names.dbUri;
    }
    if (request.oidcClientSecret !== undefined) {
      await this.store.createCredentials(names.oidcSecret, request.oidcClientSecret);
      row.oidcClientSecretRef = names.oidcSecret;
    }
    return view(await this.dataSource.getRepository(ConsoleInstanceEntity).save(row));
  }

  /** Overwrites `instance-{id}` with a new token: the vault keeps the old one as an older version. */
  async rotateToken(organizationId: string, id: string): Promise<ConsoleInstanceView & { token: string }> {
    const row = await this.find(organizationId, id);
    const token = newToken();
    await this.store.createCredentials(row.tokenRef, token);
    this.tokens.forget(id);
    row.tokenRotatedAt = this.clock.now();
    return { ...view(await this.dataSource.getRepository(ConsoleInstanceEntity).save(row)), token };
  }

  /** An instance proving itself with its registration token. */
  async authenticate(id: string, presented: string): Promise<boolean> {
    return this.tokens.verify(id, presented);
  }

  private async find(organizationId: string, id: string): Promise<ConsoleInstanceEntity> {
    const row = await this.dataSource.getRepository(ConsoleInstanceEntity).findOneBy({ id, organizationId });
    if (!row) throw new ProblemException(404, 'instance_not_found', `No instance "${id}"`);
    return row;
  }
}
