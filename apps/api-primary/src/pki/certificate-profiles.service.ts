import { Inject, Injectable } from '@nestjs/common';
import type { CreateProfileRequest, ProfileDefinition } from '@mazevault/contracts';
import { CertificateProfileEntity, ProjectEntity } from '@mazevault/persistence';
import { type CertificateProfile, defineProfile, type CertificateProfileInput } from '@mazevault/pki';
import { ProblemException } from '@mazevault/platform';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../database/postgres-errors.util';
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

/** Roles: a named, validated libs/pki profile bound to one CA of the organization. */
@Injectable()
export class CertificateProfilesService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly cas: CertificateAuthoritiesService,
  ) {}

  private compile(name: string, definition: ProfileDefinition): CertificateProfile {
    try {
      return defineProfile({ ...(definition as Omit<CertificateProfileInput, 'name'>), name });
    } catch (error) {
      throw new ProblemException(400, 'invalid_profile', (error as Error).message);
    }
  }

  async create(organizationId: string, request: CreateProfileRequest): Promise<ProfileView> {
    await this.cas.find(organizationId, request.caId);
    if (request.projectId && !(await this.dataSource.getRepository(ProjectEntity).existsBy({ id: request.projectId, organizationId }))) {
      throw new ProblemException(404, 'project_not_found', 'No such project in this organization');
    }
    this.compile(request.name, request.definition);
    try {
      const saved = await this.dataSource.getRepository(CertificateProfileEntity).save({ organizationId, caId: request.caId, name: request.name, projectId: request.projectId ?? null, definition: request.definition });
      return view(saved);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ProblemException(409, 'profile_exists', `A profile named "${request.name}" already exists`);
      throw error;
    }
  }

  async update(organizationId: string, idOrName: string, definition: ProfileDefinition): Promise<ProfileView> {
    const row = await this.find(organizationId, idOrName);
    this.compile(row.name, definition);
    row.definition = definition;
    return view(await this.dataSource.getRepository(CertificateProfileEntity).save(row));
  }

  async remove(organizationId: string, idOrName: string): Promise<void> {
    const row = await this.find(organizationId, idOrName);
    await this.dataSource.getRepository(CertificateProfileEntity).delete({ id: row.id });
  }

  async list(organizationId: string): Promise<ProfileView[]> {
    return (await this.dataSource.getRepository(CertificateProfileEntity).find({ where: { organizationId }, order: { name: 'ASC' }, take: 1000 })).map(view);
  }

  async get(organizationId: string, idOrName: string): Promise<ProfileView> {
    return view(await this.find(organizationId, idOrName));
  }

  async find(organizationId: string, idOrName: string): Promise<CertificateProfileEntity> {
    const repo = this.dataSource.getRepository(CertificateProfileEntity);
    const row = await repo.findOne({ where: isUuid(idOrName) ? { organizationId, id: idOrName } : { organizationId, name: idOrName } });
    if (!row) throw new ProblemException(404, 'profile_not_found', `No profile "${idOrName}"`);
    return row;
  }

  /** The project a profile is scoped to (null: organization-wide, or no such profile). */
  async projectOf(organizationId: string, idOrName: string): Promise<string | null> {
    const row = await this.dataSource
      .getRepository(CertificateProfileEntity)
      .findOne({ where: isUuid(idOrName) ? { organizationId, id: idOrName } : { organizationId, name: idOrName }, select: { projectId: true } });
    return row?.projectId ?? null;
  }

  /** Row + compiled libs/pki profile. */
  async resolve(organizationId: string, idOrName: string): Promise<{ row: CertificateProfileEntity; profile: CertificateProfile }> {
    const row = await this.find(organizationId, idOrName);
    return { row, profile: this.compile(row.name, row.definition as ProfileDefinition) };
  }
}

function view(row: CertificateProfileEntity): ProfileView {
  return { id: row.id, name: row.name, caId: row.caId, projectId: row.projectId, definition: row.definition, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}
