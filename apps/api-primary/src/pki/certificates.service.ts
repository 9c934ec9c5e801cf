import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type IssueCertificateRequest,
  ocspInvalidationChannel,
  type RenewCertificateRequest,
  type SignCsrRequest,
} from '@mazevault/contracts';
import {
  CertificateEntity,
  CompromisedKeyEntity,
  type GroupCommit,
  preparedQuery,
} from '@mazevault/persistence';
import {
  certificateKeyFingerprint,
  csrKeyFingerprint,
  type IssuanceResult,
  pemEncode,
  REVOCATION_REASONS,
  type RevocationReason,
  revocationReasonName,
  type IssuanceContext,
  truncateToSeconds,
} from '@mazevault/pki';
import { CLOCK, type Clock, ProblemException } from '@mazevault/platform';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../redis/redis.module';
import {
  type Actor,
  CertificateAuthoritiesService,
  isIssuerNotActive,
} from './certificate-authorities.service';
import { certificateRowWriter, type NewCertificateRow } from './certificate-rows';
import { CertificateProfilesService, type ResolvedProfile } from './certificate-profiles.service';
import { CrlService } from './crl.service';
import { IssuanceWorkers } from './issuance-workers';
import { pkiCall } from './pki-errors.util';

export interface CertificateView {
  serial: string;
  caId: string;
  profileId: string | null;
  commonName: string | null;
  sans: string[];
  notBefore: string;
  notAfter: string;
  status: string;
  revokedAt: string | null;
  revocationReason: string | null;
  certificatePem: string;
  createdAt: string;
  /** The CA this certificate certifies (a sub-CA's certificate), null for end-entity certificates. */
  subjectCaId: string | null;
}

export interface IssuedView extends CertificateView {
  chainPem: string;
  /** PKCS#8 PEM, only for server-side key generation; returned once, never stored. */
  privateKeyPem?: string;
  ignoredCsrExtensions?: string[];
}

export interface CertificateSearch {
  caId?: string;
  profile?: string;
  san?: string;
  serial?: string;
  status?: string;
  expiresAfter?: Date;
  expiresBefore?: Date;
  limit: number;
  offset: number;
}

/** Issuance, renewal/rekey, revocation and search of the certificates a CA issued. */
@Injectable()
export class CertificatesService {
  private readonly logger = new Logger(CertificatesService.name);
  private readonly rows: GroupCommit<NewCertificateRow>;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly cas: CertificateAuthoritiesService,
    private readonly profiles: CertificateProfilesService,
    private readonly crls: CrlService,
    private readonly workers: IssuanceWorkers,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.rows = certificateRowWriter(dataSource);
  }

  /** `resolved`: the profile the policy guard already resolved for this request (resolved once). */
  async issue(
    actor: Actor,
    request: IssueCertificateRequest,
    resolved?: ResolvedProfile,
  ): Promise<IssuedView> {
    const profile = resolved ?? (await this.profiles.resolve(actor.organizationId, request.profile));
    return this.certify(actor, profile, profile.row.caId, request, null, (context) =>
      this.workers.issueWithGeneratedKey({ ...context, ...subjectNames(request), keyType: request.keyType }),
    );
  }

  async sign(actor: Actor, request: SignCsrRequest, resolved?: ResolvedProfile): Promise<IssuedView> {
    const profile = resolved ?? (await this.profiles.resolve(actor.organizationId, request.profile));
    await this.refuseCompromised(await pkiCall(async () => csrKeyFingerprint(request.csr)));
    return this.certify(actor, profile, profile.row.caId, request, null, (context) =>
      this.workers.issueFromCsr({ ...context, ...subjectNames(request), csr: request.csr }),
    );
  }

  /**
   * Renew (same key) or rekey (CSR or generated key) under the certificate's current profile, on the
   * issuance threads like issue and sign. `existing`: the row the policy guard already read (resolved once).
   */
  async renew(
    actor: Actor,
    serial: string,
    request: RenewCertificateRequest,
    existing?: CertificateEntity,
  ): Promise<IssuedView> {
    const certificate = existing ?? (await this.find(actor.organizationId, serial));
    if (certificate.status === 'revoked')
      throw new ProblemException(
        409,
        'certificate_revoked',
        'A revoked certificate cannot be renewed or rekeyed; issue a new one',
      );
    if (!certificate.profileId)
      throw new ProblemException(409, 'no_profile', 'The certificate has no profile to renew under');
    // Renew certifies the same key again; rekey by CSR certifies the CSR's key.
    if (request.mode === 'renew')
      await this.refuseCompromised(await pkiCall(async () => certificateKeyFingerprint(certificate.der)));
    else if (request.csr)
      await this.refuseCompromised(await pkiCall(async () => csrKeyFingerprint(request.csr!)));
    const profile = await this.profiles.resolve(actor.organizationId, certificate.profileId);
    const der = new Uint8Array(certificate.der);
    return this.certify(actor, profile, certificate.caId, request, certificate.serial, (context) => {
      if (request.mode === 'renew') return this.workers.renewCertificate({ ...context, certificate: der });
      if (request.csr)
        return this.workers.rekeyCertificate({ ...context, certificate: der, csr: request.csr });
      return this.workers.rekeyCertificate({
        ...context,
        certificate: der,
        keyType: request.keyType ?? 'ecdsa-p256',
      });
    });
  }

  /**
   * The path every issuance shares: the CA's key, one instant from the injected clock, the public URLs,
   * the signature (on an issuance thread, through `sign`), then the row, committed before the answer.
   */
  private async certify(
    actor: Actor,
    resolved: ResolvedProfile,
    caId: string,
    request: { ttlSeconds?: number | undefined },
    replaces: string | null,
    sign: (context: IssuanceContext) => Promise<IssuanceResult>,
  ): Promise<IssuedView> {
    const ca = await this.cas.authority(actor.organizationId, caId);
    const context: IssuanceContext = {
      ca,
      profile: resolved.profile,
      clock: this.clock,
      urls: this.cas.urlsFor(caId),
      ...(request.ttlSeconds !== undefined && { ttlSeconds: request.ttlSeconds }),
    };
    const result = await pkiCall(() => sign(context));
    return this.store(actor, caId, resolved.row.id, result, replaces);
  }

  /** A key revoked for keyCompromise anywhere (any organization, any CA) is never certified again. */
  private async refuseCompromised(fingerprint: string): Promise<void> {
    // One named prepared statement on the hot path of every /sign (TypeORM's existsBy builds a query each time).
    const found = await preparedQuery(
      this.dataSource,
      'pki_compromised_key',
      'SELECT 1 FROM compromised_keys WHERE spki_sha256 = $1 LIMIT 1',
      [fingerprint],
    );
    if (found.length) {
      throw new ProblemException(
        409,
        'key_compromised',
        'This public key was revoked for key compromise and cannot be certified again',
      );
    }
  }

  private async store(
    actor: Actor,
    caId: string,
    profileId: string | null,
    result: IssuanceResult,
    replaces: string | null,
  ): Promise<IssuedView> {
    const issued = result.certificate;
    const names = issued.altNames;
    const row: NewCertificateRow = {
      caId,
      serial: issued.serialNumber,
      organizationId: actor.organizationId,
      profileId,
      commonName: issued.commonNames[0] ?? null,
      sans: [
        ...names.dns.map((v) => `dns:${v}`),
        ...names.ip.map((v) => `ip:${v}`),
        ...names.uri.map((v) => `uri:${v}`),
        ...names.email.map((v) => `email:${v}`),
      ],
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      der: Buffer.from(issued.der.buffer, issued.der.byteOffset, issued.der.byteLength),
      replacesSerial: replaces,
    };
    // Signed but not stored would be an unrevocable certificate: the row is committed before the answer.
    // A CA revoked meanwhile (here or on another replica): the database refuses its rows.
    await this.rows.add(row).catch((error: unknown) => {
      throw isIssuerNotActive(error)
        ? new ProblemException(409, 'ca_revoked', 'The issuing CA is revoked')
        : error;
    });
    return {
      ...view(
        {
          ...row,
          status: 'good',
          revokedAt: null,
          revocationReason: null,
          createdAt: this.clock.now(),
          subjectCaId: null,
        },
        issued.pem,
      ),
      chainPem: result.chainPem,
      ...(result.privateKeyPkcs8 && {
        privateKeyPem: pemEncode('PRIVATE KEY', new Uint8Array(result.privateKeyPkcs8)),
      }),
      ...(result.ignoredCsrExtensions?.length && { ignoredCsrExtensions: result.ignoredCsrExtensions }),
    };
  }

  /**
   * Revoke: the row first (the database is the truth for CRL and OCSP), then a new CRL, then an
   * invalidation to every OCSP responder (they also poll the database, so a lost message only delays).
   */
  async revoke(
    actor: Actor,
    serial: string,
    reason: RevocationReason,
    found?: CertificateEntity,
  ): Promise<CertificateView> {
    // A hold would have to be lifted through removeFromCRL in a delta CRL; revocation here is final.
    if (reason === 'certificateHold') {
      throw new ProblemException(
        400,
        'certificate_hold_not_supported',
        'certificateHold is not accepted: revocation is permanent; revoke with another reason',
      );
    }
    const existing = found ?? (await this.find(actor.organizationId, serial));
    if (existing.status === 'revoked')
      throw new ProblemException(409, 'already_revoked', 'The certificate is already revoked');
    if (existing.subjectCaId)
      throw new ProblemException(
        409,
        'ca_certificate',
        `This is a CA's certificate: revoke it through POST /api/v1/pki/cas/${existing.subjectCaId}/revoke`,
      );
    const revokedAt = truncateToSeconds(this.clock.now());
    const compromisedKey = reason === 'keyCompromise' ? certificateKeyFingerprint(existing.der) : null;
    // The status and the blocklist entry commit together: no window in which the key is revoked but still certifiable.
    await this.dataSource.transaction(async (manager) => {
      const updated = await manager
        .getRepository(CertificateEntity)
        .update(
          { caId: existing.caId, serial: existing.serial, status: 'good' },
          { status: 'revoked', revokedAt, revocationReason: REVOCATION_REASONS[reason] },
        );
      if (!updated.affected)
        throw new ProblemException(409, 'already_revoked', 'The certificate is already revoked');
      if (compromisedKey) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(CompromisedKeyEntity)
          .values({
            spkiSha256: compromisedKey,
            organizationId: actor.organizationId,
            caId: existing.caId,
            serial: existing.serial,
          })
          .orIgnore()
          .execute();
      }
    });
    try {
      await this.redis.publish(
        ocspInvalidationChannel(this.redis.options.keyPrefix),
        `${existing.caId}:${existing.serial}`,
      );
    } catch (error) {
      this.logger.warn(
        `OCSP invalidation not published (responders will pick it up on refresh): ${(error as Error).message}`,
      );
    }
    await this.crls.publish(actor, existing.caId, { moveBase: false });
    return view({ ...existing, status: 'revoked', revokedAt, revocationReason: REVOCATION_REASONS[reason] });
  }

  async get(organizationId: string, serial: string): Promise<CertificateView> {
    return view(await this.find(organizationId, serial));
  }

  async search(
    organizationId: string,
    search: CertificateSearch,
  ): Promise<{ items: CertificateView[]; total: number }> {
    const query = this.dataSource
      .getRepository(CertificateEntity)
      .createQueryBuilder('c')
      .where('c.organization_id = :organizationId', { organizationId });
    if (search.caId) query.andWhere('c.ca_id = :caId', { caId: search.caId });
    if (search.profile) {
      const { row } = await this.profiles.resolve(organizationId, search.profile);
      query.andWhere('c.profile_id = :profileId', { profileId: row.id });
    }
    if (search.serial) query.andWhere('c.serial = :serial', { serial: normalizeSerial(search.serial) });
    if (search.san) {
      const san = search.san.includes(':')
        ? search.san.toLowerCase()
        : `dns:${search.san.toLowerCase().replace(/\.$/, '')}`;
      query.andWhere('c.sans @> ARRAY[:san]::text[]', { san });
    }
    if (search.status) query.andWhere('c.status = :status', { status: search.status });
    if (search.expiresAfter) query.andWhere('c.not_after >= :after', { after: search.expiresAfter });
    if (search.expiresBefore) query.andWhere('c.not_after < :before', { before: search.expiresBefore });
    const [rows, total] = await query
      .orderBy('c.not_after', 'ASC')
      .addOrderBy('c.serial')
      .skip(search.offset)
      .take(search.limit)
      .getManyAndCount();
    return { items: rows.map((r) => view(r)), total };
  }

  /**
   * A certificate and the project of the profile it was issued under (null: organization-wide), in one
   * query, for the policy guard; the handler then uses the same row. Undefined when the serial is not
   * one certificate of this organization (the handler's find answers 400/404/409).
   */
  async lookup(
    organizationId: string,
    serial: string,
  ): Promise<{ certificate: CertificateEntity; projectId: string | null } | undefined> {
    let normalized: string;
    try {
      normalized = normalizeSerial(serial);
    } catch {
      return undefined;
    }
    const { entities, raw } = await this.dataSource
      .getRepository(CertificateEntity)
      .createQueryBuilder('c')
      .leftJoin('certificate_profiles', 'p', 'p.id = c.profile_id')
      .addSelect('p.project_id', 'profile_project_id')
      .where('c.organization_id = :organizationId AND c.serial = :serial', {
        organizationId,
        serial: normalized,
      })
      .limit(2)
      .getRawAndEntities<{ profile_project_id: string | null }>();
    if (entities.length !== 1) return undefined;
    return { certificate: entities[0]!, projectId: raw[0]?.profile_project_id ?? null };
  }

  async find(organizationId: string, serial: string): Promise<CertificateEntity> {
    const rows = await this.dataSource
      .getRepository(CertificateEntity)
      .find({ where: { organizationId, serial: normalizeSerial(serial) }, take: 2 });
    if (rows.length === 0) throw new ProblemException(404, 'certificate_not_found', 'No such certificate');
    if (rows.length > 1)
      throw new ProblemException(409, 'serial_ambiguous', 'Several CAs issued this serial; search by CA');
    return rows[0]!;
  }
}

/** The names a caller asked for; the profile decides what is kept. */
function subjectNames(request: {
  commonName?: string | undefined;
  altNames?: IssueCertificateRequest['altNames'] | undefined;
}) {
  return {
    ...(request.commonName !== undefined && { commonName: request.commonName }),
    ...(request.altNames && { altNames: request.altNames }),
  };
}

/** Accepts "0A:1B", "0a1b", leading zeros: the stored form is lower-case hex without a 00 pad. */
export function normalizeSerial(serial: string): string {
  let hex = serial.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(hex))
    throw new ProblemException(400, 'invalid_serial', 'Serial numbers are hexadecimal');
  if (hex.length % 2) hex = '0' + hex;
  return hex.replace(/^(00)+(?=[0-9a-f]{2})/, '');
}

function view(row: CertificateEntity, pem?: string): CertificateView {
  const reason = row.revocationReason === null ? null : (revocationReasonName(row.revocationReason) ?? null);
  return {
    serial: row.serial,
    caId: row.caId,
    profileId: row.profileId,
    commonName: row.commonName,
    sans: row.sans,
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter.toISOString(),
    status: row.status,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revocationReason: reason,
    certificatePem: pem ?? pemEncode('CERTIFICATE', row.der),
    createdAt: row.createdAt.toISOString(),
    subjectCaId: row.subjectCaId ?? null,
  };
}
