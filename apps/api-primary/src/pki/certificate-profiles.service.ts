import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { CreateProfileRequest, ProfileDefinition } from '@mazevault/contracts';
import { CertificateProfileEntity, isUniqueViolation } from '@mazevault/persistence';
import {
  type CertificateProfile,
  defineProfile,
  type CertificateProfileInput,
  isPkiError,
} from '@mazevault/pki';
import { CacheInvalidationBus, ProblemException, TtlCache } from '@mazevault/platform';
import { SecretScopeService } from '../projects/secret-scope.service';
import { DataSource } from 'typeorm';
import { CertificateAuthoritiesService, isUuid } from './certificate-authorities.service';

export interface ProfileView {
  id: string;
  name: string;
  caId: string;
  projectId: string | null;
  definition: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ResolvedProfile {
  row: CertificateProfileEntity;
  profile: CertificateProfile;
}

export const PROFILE_CACHE = 'pki-profile';
const PROFILE_TTL_MS = 60_000;

/**
 * Roles: a named, validated libs/pki profile bound to one CA of the organization.
 *
 * Every issuance needs its profile twice (the policy guard's scope, then the issuance itself), so
 * resolved profiles are cached per organization and name/id. A change drops the organization's
 * entries here at once and on the other replicas by pub/sub; the TTL bounds a lost message.
 */
@Injectable()
export class CertificateProfilesService implements OnModuleInit {
  private readonly resolved = new TtlCache<Promise<ResolvedProfile>>(PROFILE_TTL_MS, 10_000);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly cas: CertificateAuthoritiesService,
    private readonly bus: CacheInvalidationBus,
    private readonly scopes: SecretScopeService,
  ) {}

  onModuleInit(): void {
    this.bus.on(PROFILE_CACHE, (organizationId) => this.resolved.deletePrefix(`${organizationId}\u0000`));
  }

  private compile(name: string, definition: ProfileDefinition): CertificateProfile {
    try {
      return defineProfile({ ...(definition as Omit<CertificateProfileInput, 'name'>), name });
    } catch (error) {
      // eku_reserved keeps its own code (ocspSigning & co.); every other refusal is invalid_profile.
      throw new ProblemException(
        400,
        isPkiError(error, 'eku_reserved') ? 'eku_reserved' : 'invalid_profile',
        (error as Error).message,
      );
    }
  }

  async create(organizationId: string, request: CreateProfileRequest): Promise<ProfileView> {
    await this.cas.find(organizationId, request.caId);
    // The project may be named by id or slug, as in URL paths (404 project_not_found otherwise).
    const projectId = request.projectId
      ? await this.scopes.resolveProject(organizationId, request.projectId)
      : null;
    this.compile(request.name, request.definition);
    try {
      const saved = await this.dataSource.getRepository(CertificateProfileEntity).save({
        organizationId,
        caId: request.caId,
        name: request.name,
        projectId,
        definition: request.definition,
      });
      return view(saved);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, 'profile_exists', `A profile named "${request.name}" already exists`);
      throw error;
    }
  }

  async update(
    organizationId: string,
    idOrName: string,
    definition: ProfileDefinition,
  ): Promise<ProfileView> {
    const row = await this.find(organizationId, idOrName);
    this.compile(row.name, definition);
    row.definition = definition;
    const saved = await this.dataSource.getRepository(CertificateProfileEntity).save(row);
    await this.bus.invalidate(PROFILE_CACHE, organizationId);
    return view(saved);
  }

  async remove(organizationId: string, idOrName: string): Promise<void> {
    const row = await this.find(organizationId, idOrName);
    await this.dataSource.getRepository(CertificateProfileEntity).delete({ id: row.id });
    await this.bus.invalidate(PROFILE_CACHE, organizationId);
  }

  async list(organizationId: string): Promise<ProfileView[]> {
    return (
      await this.dataSource
        .getRepository(CertificateProfileEntity)
        .find({ where: { organizationId }, order: { name: 'ASC' }, take: 1000 })
    ).map(view);
  }

  async get(organizationId: string, idOrName: string): Promise<ProfileView> {
    return view(await this.find(organizationId, idOrName));
  }

  async find(organizationId: string, idOrName: string): Promise<CertificateProfileEntity> {
    const repo = this.dataSource.getRepository(CertificateProfileEntity);
    const row = await repo.findOne({
      where: isUuid(idOrName) ? { organizationId, id: idOrName } : { organizationId, name: idOrName },
    });
    if (!row) throw new ProblemException(404, 'profile_not_found', `No profile "${idOrName}"`);
    return row;
  }

  /** The resolved profile, or undefined when there is no such profile (the handler answers the 404). */
  async resolveIfExists(organizationId: string, idOrName: string): Promise<ResolvedProfile | undefined> {
    try {
      return await this.resolve(organizationId, idOrName);
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() === 404) return undefined;
      throw error;
    }
  }

  /** Row + compiled libs/pki profile (cached; see the class comment). */
  resolve(organizationId: string, idOrName: string): Promise<ResolvedProfile> {
    const key = `${organizationId}\u0000${idOrName}`;
    let resolved = this.resolved.get(key);
    if (!resolved) {
      resolved = this.find(organizationId, idOrName).then((row) => ({
        row,
        profile: this.compile(row.name, row.definition as ProfileDefinition),
      }));
      // Only answers are kept: a miss (404) or a failed query is asked again next time.
      resolved.catch(() => this.resolved.delete(key));
      this.resolved.set(key, resolved);
    }
    return resolved;
  }
}

function view(row: CertificateProfileEntity): ProfileView {
  return {
    id: row.id,
    name: row.name,
    caId: row.caId,
    projectId: row.projectId,
    definition: row.definition,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
