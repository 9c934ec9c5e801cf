import { Inject, Injectable } from '@nestjs/common';
import type { GatewayEnvironment, GatewayTask } from '@mazevault/contracts';
import { ProblemException } from '@mazevault/platform';
import { DataSource, type EntityManager } from 'typeorm';
import type { SecretScope } from '../projects/secret-scope.service';
import { SecretsService } from '../secrets/secrets.service';

type GatewayTaskSecret = NonNullable<GatewayTask['secrets']>[number];

/** The most secrets one sync-secrets delivery carries (the contract's limit). */
const MAX_SECRETS = 10_000;

/**
 * Where a gateway task's project environment sits: its organization and its gateway classification.
 * The one place that decides whether a gateway environment may see a project environment's secrets —
 * checked when a task is queued and again when it is delivered or its result applied (the
 * classification may have changed in between): NPR never sees PRO, and an unclassified environment
 * is seen by no gateway.
 */
@Injectable()
export class GatewayTaskScopeService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly secrets: SecretsService,
  ) {}

  /** The classification of a project environment of the organization; 404 if there is no such one. */
  async classification(
    organizationId: string,
    projectId: string,
    environmentId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<GatewayEnvironment | null> {
    const place = await this.placement({ organizationId, projectId, environmentId }, manager);
    if (!place)
      throw new ProblemException(
        404,
        'environment_not_found',
        'No such project environment in this organization',
      );
    return place.classification;
  }

  /** True only if the project environment exists in the organization and is classified exactly `environment`. */
  async servedBy(organizationId: string, scope: SecretScope, environment: string): Promise<boolean> {
    return (await this.placement({ ...scope, organizationId }))?.classification === environment;
  }

  /**
   * For a delivery, in one read: `<project slug>/<environment slug>` (where the task's secrets live in
   * the Project Key Vault) if the project environment is classified exactly `environment`, else null.
   */
  async vaultNamespaceIfServedBy(scope: SecretScope, environment: string): Promise<string | null> {
    const place = await this.placement(scope);
    return place?.classification === environment ? place.vaultNamespace : null;
  }

  private async placement(
    scope: SecretScope,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ classification: GatewayEnvironment | null; vaultNamespace: string } | null> {
    const rows = (await manager.query(
      `SELECT e."gateway_environment", p."slug" AS project, e."slug" AS environment
         FROM "environments" e JOIN "projects" p ON p."id" = e."project_id"
        WHERE e."id" = $1 AND p."id" = $2 AND p."organization_id" = $3`,
      [scope.environmentId, scope.projectId, scope.organizationId],
    )) as { gateway_environment: GatewayEnvironment | null; project: string; environment: string }[];
    const row = rows[0];
    return row
      ? { classification: row.gateway_environment, vaultNamespace: `${row.project}/${row.environment}` }
      : null;
  }

  /**
   * The environment's current secret versions, decrypted for a sync-secrets delivery (the values only
   * ever leave inside the sealed answer). Non-string JSON values travel as their JSON text.
   */
  async currentSecrets(scope: SecretScope, maxBytes: number): Promise<GatewayTaskSecret[]> {
    const live = await this.secrets.liveSecrets(scope);
    if (live.length > MAX_SECRETS)
      throw new ProblemException(422, 'too_many_secrets', `More than ${MAX_SECRETS} secrets to sync`);
    const out: GatewayTaskSecret[] = [];
    let bytes = 0;
    for (const secret of live) {
      const read = await this.secrets.read(scope, secret.path);
      const value = typeof read.value === 'string' ? read.value : JSON.stringify(read.value);
      bytes += syncBytes({ path: read.path, value });
      if (bytes > maxBytes)
        throw new ProblemException(
          422,
          'sync_payload_too_large',
          `The environment's secrets exceed ${maxBytes} bytes, what one sync-secrets delivery carries (GATEWAY_SYNC_MAX_BYTES)`,
        );
      out.push({ path: read.path, version: read.version, value });
    }
    return out;
  }
}

/** What one delivered secret weighs against GATEWAY_SYNC_MAX_BYTES (its path and value, UTF-8). */
export function syncBytes(secret: { path: string; value: string }): number {
  return Buffer.byteLength(secret.path) + Buffer.byteLength(secret.value);
}
